"""The models' get_<field>_display: Django's answer, in every language, for one translation each."""

import pytest
from django.db.models import Field
from django.utils import translation

from netra.cases.models import Case, Evidence, Subject


@pytest.mark.parametrize(
    ("model", "name"), [(Case, "status"), (Evidence, "uploaded_by"), (Subject, "employment_status")]
)
def test_choice_display_is_djangos_for_every_value_and_language(model, name):
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.choices
    for language in ("id", "en"):
        with translation.override(language):
            for value in [*(code for code, _ in field.choices), "no-such-value", ""]:
                row = model(**{name: value})
                shown = getattr(row, f"get_{name}_display")()
                assert shown == row._get_FIELD_display(field), (language, value)
                assert type(shown) is str  # not a lazy proxy (format_html, JSON)
    enum_member = {
        Case: Case.Status.ESCALATED,
        Evidence: Evidence.UploadedBy.STAFF,
        Subject: Subject.EmploymentStatus.PNS,
    }[model]
    row = model(**{name: enum_member})  # a TextChoices member, as code assigns it before a save
    assert getattr(row, f"get_{name}_display")() == row._get_FIELD_display(field)
