"""The queue's rows as ready strings (presenters.queue_rows, panel_rows): the same markup as the
includes they replace, and dates as the template's ``date`` filter writes them (the case page's
reports, messages and evidence too)."""

import datetime

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from netra.cases.models import Case, ControlAction
from netra.orgs.models import Agency
from netra.workspace import presenters

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Jayapura", "UTC"])
def test_day_labels_write_what_the_date_filter_writes(language, zone):
    template = engines["django"].from_string('{{ value|date:"j M Y" }}')
    values = [
        datetime.date(2024, 5, 1),
        datetime.datetime(2024, 8, 31, 20, 30, tzinfo=datetime.UTC),  # 1 Sep in Jakarta and Jayapura
        datetime.datetime(2024, 12, 31, 16, 59, tzinfo=datetime.UTC),
        datetime.datetime(2024, 3, 3, 23, 0),  # naive: as it is
        None,
    ]
    to_the_minute = engines["django"].from_string('{{ value|date:"j M Y H:i" }}')
    other = engines["django"].from_string('{{ value|date:"D, j F Y" }}')
    with translation.override(language), timezone.override(zone):
        day = presenters.DayLabels()
        for value in values:
            assert day(value) == template.render({"value": value}), value
            assert day(value) == template.render({"value": value})  # and again, from its memo
            assert day.formatted(value, "j M Y") == day(value)
            assert day.formatted(value, "D, j F Y") == other.render({"value": value})
            if not isinstance(value, datetime.datetime):
                continue
            assert day.minute(value) == to_the_minute.render({"value": value}), value
            assert day.formatted(value, "j M Y H:i") == day.minute(value)


def test_block_translations_escape_their_values_not_the_text():
    assert presenters._blocktranslate("Pilih %(number)s", number="<b>&") == "Pilih &lt;b&gt;&amp;"


def test_a_row_holds_the_flags_and_the_markup_of_the_deadline_and_assignee_includes(
    staff_client, satgas_katingan, katingan_case
):
    bkn = Agency.objects.get(code="bkn-pusat")
    Case.objects.filter(pk=katingan_case.pk).update(
        status=Case.Status.CHECKING,
        due_date=datetime.date(2024, 1, 5),
        assigned_to=satgas_katingan,
        referred_to=bkn,
    )
    ControlAction.objects.create(case=katingan_case, kind="warning", date=datetime.date(2024, 1, 2))
    satgas_katingan.first_name, satgas_katingan.last_name = "Petugas", "<Satgas> & Co"
    satgas_katingan.save()
    response = staff_client(satgas_katingan).get(QUEUE)
    case = response.context["page"].object_list[0]
    assert case.pk == katingan_case.pk and case.deadline_state == "overdue"
    html = response.text
    flags = (
        '<span class="chip control">tindakan BKN</span> \n'
        f'<span class="chip referral" title="{bkn.name}">dirujuk: {bkn.name}</span> \n'
    )
    for fragment in (
        flags,
        render_to_string("workspace/_deadline.html", {"case": case}),
        render_to_string("workspace/_assignee.html", {"case": case}),
    ):
        assert fragment in html
    assert "Petugas &lt;Satgas&gt; &amp; Co" in html


def test_a_home_panel_row_shows_the_flags_and_the_subjects_escaped(staff_client, bkn_supervisor, katingan_case):
    bkn = Agency.objects.get(code="bkn-pusat")
    Case.objects.filter(pk=katingan_case.pk).update(status=Case.Status.ESCALATED, referred_to=bkn)
    katingan_case.subjects.update(name="Budi <Santoso> & Co")
    response = staff_client(bkn_supervisor).get(QUEUE)
    row = response.context["panels"][0]["rows"][0]
    assert row["number"] == katingan_case.number and row["subjects"] == "Budi &lt;Santoso&gt; &amp; Co"
    assert f'\n<br><span class="chip referral" title="{bkn.name}">dirujuk: {bkn.name}</span> \n</td>' in response.text
