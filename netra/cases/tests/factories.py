"""Case factories. ``CaseFactory`` makes a case with one report (as intake would); ``case_in(state)``
puts one directly in any workflow state with the records that state implies."""

import datetime

import factory

from netra.cases.intake import hash_access_key, new_receipt_code
from netra.cases.models import Case, Report, Subject, Transition

TEST_ACCESS_KEY = "test-access-key"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"NTR-2024-9{n:05d}")
    region_id = "62.06"
    agency = None
    incident_date = factory.LazyFunction(lambda: datetime.date(2024, 11, 1))
    status = Case.Status.RECEIVED

    @factory.post_generation
    def report(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        report = Report.objects.create(
            case=obj,
            region_id=obj.region_id,
            subject={"name": "Budi Santoso", "position": "Camat"},
            description="ASN hadir di kampanye pasangan calon dan berorasi di panggung.",
            incident_date=obj.incident_date,
            receipt_code=new_receipt_code(),
            access_key_hash=hash_access_key(TEST_ACCESS_KEY),
        )
        Transition.objects.create(case=obj, from_state="", to_state=Case.Status.RECEIVED)
        Subject.objects.create(case=obj, name="Budi Santoso", position="Camat")
        return report


def case_in(state: str, *, agency, merged_into: Case | None = None, **kwargs) -> Case:
    """A case of ``agency`` in ``state`` (a merged one gets a target case of the same agency)."""
    if state == Case.Status.MERGED and merged_into is None:
        merged_into = CaseFactory(agency=agency, status=Case.Status.CHECKING)
    case = CaseFactory(
        agency=agency, region_id=kwargs.pop("region_id", agency.region_id if agency else "62.06"), **kwargs
    )
    Case.objects.filter(pk=case.pk).update(status=state, merged_into=merged_into)
    case.refresh_from_db()
    return case
