"""Triage in the workspace: the case page's block, the one-click confirmation, facts, clusters."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases.models import Case, Subject, TriageCorrection, TriageResult
from netra.cases.triage_flow import triage_pending

pytestmark = pytest.mark.django_db

VIRAL = "Pak camat ikut deklarasi paslon nomor 2 di lapangan desa, ada fotonya di FB"


def case_url(case):
    return reverse("workspace:case", args=[case.pk])


def test_the_suggestion_appears_on_the_case_page(staff_client, satgas_katingan, regions, agencies):
    from netra.cases.intake import report_submit
    from netra.cases.tests.fixtures import report_data

    case = report_submit(data=report_data(description=VIRAL), files=()).case  # not triaged yet
    client = staff_client(satgas_katingan)
    assert "Laporan sedang dibaca" in client.get(case_url(case)).text  # before the turn ran
    triage_pending()
    response = client.get(case_url(case))
    result = TriageResult.objects.get(case=case)
    block = response.context["triage"]
    assert [s["code"] for s in block["suggestions"]] == [s["code"] for s in result.suggestions[:3]]
    assert 'id="h-triage"' in response.text and "keyakinan" in response.text
    assert "kata pemicu" in response.text and "<mark>" in response.text
    assert reverse("workspace:triage_confirm", args=[case.pk]) in response.text


def test_one_click_confirms_with_htmx_and_is_stored_and_audited(staff_client, satgas_katingan, submit):
    case = submit(description=VIRAL)
    triage_pending()
    top = TriageResult.objects.get(case=case).top_code
    response = staff_client(satgas_katingan).post(
        reverse("workspace:triage_confirm", args=[case.pk]), {"chosen": top}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Dicatat petugas" in response.text
    [correction] = TriageCorrection.objects.filter(case=case)
    assert (correction.suggested, correction.chosen, correction.by) == (top, top, satgas_katingan)
    assert AuditEvent.objects.filter(action="case.triage_confirmed", object_id=str(case.pk)).exists()


def test_a_correction_outside_the_scope_is_404(staff_client, satgas_barsel, submit):
    case = submit(description=VIRAL)
    triage_pending()
    client = staff_client(satgas_barsel)
    assert client.post(reverse("workspace:triage_confirm", args=[case.pk]), {"chosen": "other"}).status_code == 404
    assert client.post(reverse("workspace:triage_fact", args=[case.pk]), {"field": "nip"}).status_code == 404
    assert not TriageCorrection.objects.exists()


def test_an_observer_cannot_correct(staff_client, observer, submit):
    case = submit(description=VIRAL)
    triage_pending()
    response = staff_client(observer).post(reverse("workspace:triage_confirm", args=[case.pk]), {"chosen": "other"})
    assert response.status_code in (302, 404)
    assert not TriageCorrection.objects.exists()


def test_gunakan_fills_an_empty_field_and_leaves_an_entered_one(staff_client, satgas_katingan, submit):
    case = submit(description="Lurah ikut kampanye paslon 02 di Kasongan", subject_position="", subject_nip="")
    triage_pending()
    client = staff_client(satgas_katingan)
    page = client.get(case_url(case))
    offers = {o["field"]: o for o in page.context["triage"]["offers"]}
    assert offers["position"]["usable"] and "Gunakan" in page.text
    client.post(
        reverse("workspace:triage_fact", args=[case.pk]), {"field": "position", "value": offers["position"]["value"]}
    )
    subject = Subject.objects.get(case=case)
    assert subject.position == offers["position"]["value"] and subject.name == "Budi Santoso"
    # Filled now: no button for it any more, and a forged POST does not overwrite it.
    again = {o["field"]: o for o in client.get(case_url(case)).context["triage"]["offers"]}
    assert not again["position"]["usable"]
    Subject.objects.filter(case=case).update(position="Camat")
    client.post(reverse("workspace:triage_fact", args=[case.pk]), {"field": "position", "value": "lurah"})
    assert Subject.objects.get(case=case).position == "Camat"


def test_the_queue_shows_the_top_group_and_the_cluster(staff_client, satgas_katingan, submit):
    cases = [submit(description=VIRAL, subject_name="", subject_nip="") for _ in range(3)]
    triage_pending()
    response = staff_client(satgas_katingan).get(reverse("workspace:home"))
    assert "klaster 3 laporan" in response.text
    cluster = TriageResult.objects.get(case=cases[0]).cluster
    assert reverse("workspace:triage_cluster", args=[cluster]) in response.text
    top = TriageResult.objects.get(case=cases[0])
    assert f"{round(100 * top.top_confidence)}%" in response.text


def test_the_cluster_page_lists_and_merges_the_cluster(staff_client, satgas_katingan, submit):
    cases = [submit(description=VIRAL, subject_name="", subject_nip="") for _ in range(3)]
    triage_pending()
    cluster = TriageResult.objects.get(case=cases[0]).cluster
    client = staff_client(satgas_katingan)
    url = reverse("workspace:triage_cluster", args=[cluster])
    page = client.get(url)
    assert [c.pk for c in page.context["cases"]] == [c.pk for c in cases]
    client.post(
        reverse("workspace:bulk"),
        {"cases": [c.pk for c in cases], "action": "merge", "into": cases[0].number, "next": url},
    )
    statuses = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "status"))
    assert statuses == {cases[0].pk: "received", cases[1].pk: "merged", cases[2].pk: "merged"}


def test_another_agencys_cluster_is_not_found(staff_client, satgas_barsel, satgas_katingan, submit):
    cases = [submit(description=VIRAL, subject_name="", subject_nip="") for _ in range(2)]
    triage_pending()
    cluster = TriageResult.objects.get(case=cases[0]).cluster
    url = reverse("workspace:triage_cluster", args=[cluster])
    assert staff_client(satgas_barsel).get(url).status_code == 404
    assert staff_client(satgas_katingan).get(url).status_code == 200


@pytest.mark.parametrize(
    ("confidence", "shown"),
    [
        (0.0, "0"),
        (0.0004, "<1"),
        (0.0049, "<1"),
        (0.005, "1"),
        (0.42, "42"),
        (0.994, "99"),
        (0.995, ">99"),
        (1.0, "100"),
    ],
)
def test_a_confidence_is_shown_in_whole_percent_never_a_ranked_zero(confidence, shown):
    from netra.workspace.triage import shown_percent

    assert shown_percent(confidence) == shown
