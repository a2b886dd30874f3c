"""notify(): one in-app row per distinct active user, an e-mail copy after commit."""

import pytest
from django.core import mail

from netra.notify.models import Notification
from netra.notify.selectors import unread_count, unread_for
from netra.notify.services import email_notifications, notification_mark_read, notify
from netra.orgs.tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ani(db):
    return UserFactory(username="ani", email="ani@example.org")


@pytest.fixture
def budi(db):
    return UserFactory(username="budi", email="budi@example.org")


def test_each_user_is_notified_once(ani, budi):
    rows = notify([ani, budi, ani, None], kind="case.assigned", text="Kasus NTR-1 ditugaskan.")
    assert sorted(row.user.username for row in rows) == ["ani", "budi"]


def test_inactive_user_is_skipped(ani):
    ani.is_active = False
    ani.save()
    assert notify([ani], kind="x.y", text="t") == []


def test_notification_points_at_what_it_is_about(ani):
    # notify sits below cases (design.md 2): any saved model will do, a case in practice.
    agency = AgencyFactory()
    [row] = notify([ani], kind="case.assigned", text="t", case=agency)
    stored = Notification.objects.get(pk=row.pk)
    assert (stored.target, stored.case_id) == (agency, None)


def test_email_goes_out_after_commit(ani, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([ani], kind="deadline.reminder", text="Kasus NTR-1: batas waktu 13-11-2024.")
    assert [m.to for m in mail.outbox] == [["ani@example.org"]]
    assert mail.outbox[0].body == "Kasus NTR-1: batas waktu 13-11-2024."


def test_no_email_before_commit(ani, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify([ani], kind="deadline.reminder", text="t")
    assert mail.outbox == []


def test_email_is_sent_at_most_once(ani):
    [row] = notify([ani], kind="x.y", text="t")
    assert email_notifications([row.pk]) + email_notifications([row.pk]) <= 1
    assert len(mail.outbox) == 1


def test_user_without_address_gets_only_the_in_app_row(db):
    nobody = UserFactory(username="tanpa-surel", email="")
    [row] = notify([nobody], kind="x.y", text="t")
    assert email_notifications([row.pk]) == 0


def test_unread_for_lists_only_own_unread(ani, budi):
    notify([ani, budi], kind="x.y", text="t")
    notify([ani], kind="x.z", text="u")
    notification_mark_read(user=ani, ids=[unread_for(ani).last().pk])
    assert [n.kind for n in unread_for(ani)] == ["x.z"]
    assert unread_count(budi) == 1


def test_mark_all_read(ani):
    notify([ani], kind="x.y", text="t")
    notify([ani], kind="x.z", text="u")
    assert notification_mark_read(user=ani) == 2
    assert unread_count(ani) == 0
