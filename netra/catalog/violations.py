"""The violation catalogue and the sanctions: loaders, selectors and the category suggestion.

The data lives in ``data/violations.json`` and ``data/sanctions.json`` (sources and their status in
``data/README.md``); ``manage.py load_reference`` loads it. The codes below are part of the API
contract (api.md): cases, triage and statistics store them, so they never change meaning.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from netra.catalog.elections import phase_on
from netra.catalog.models import (
    Election,
    ElectionPhase,
    SanctionCategory,
    SanctionType,
    ViolationGroup,
    ViolationItem,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# domain.md section 3; api.md `violations` of a recommendation.
GROUP_CODES = (
    "social_media",
    "attributes_photo",
    "campaign_attendance",
    "campaign_role",
    "party_membership",
    "facilities_use",
    "policy_favouritism",
    "mobilisation",
    "gifts_money",
    "support_letter",
    "other",
)
# Triage label for a report that describes no violation (an ASN voting at the TPS, a private
# citizen campaigning...). Not a catalogue group: nothing is recommended for it.
NOT_VIOLATION = "not_violation"
TRIAGE_CODES = (*GROUP_CODES, NOT_VIOLATION)

# api.md `sanction_category` of a recommendation, lightest first.
SANCTION_CATEGORY_CODES = (
    "moral_closed",
    "moral_open",
    "discipline_light",
    "discipline_moderate",
    "discipline_heavy",
    "dismissal",
)
# api.md `sanction_type` of a decision.
SANCTION_TYPE_CODES = (
    "reprimand_oral",
    "reprimand_written",
    "statement_dissatisfaction",
    "tukin_cut_6m",
    "tukin_cut_9m",
    "tukin_cut_12m",
    "demotion_12m",
    "release_from_position_12m",
    "dismissal_honourable",
    "dismissal_dishonourable",
    "moral_closed",
    "moral_open",
    "none",
)


# --- loaders -------------------------------------------------------------------------------------
# Both are idempotent (update_or_create by code). A row dropped from the JSON is not deleted:
# recommendations and decisions of past cases may still point at it.


@transaction.atomic
def load_sanctions() -> int:
    """Load sanction categories and types from data/sanctions.json; return the number of rows."""
    data = _read("sanctions.json")
    _check_codes("sanction categories", [c["code"] for c in data["categories"]], SANCTION_CATEGORY_CODES)
    _check_codes("sanction types", [t["code"] for t in data["types"]], SANCTION_TYPE_CODES)

    for entry in data["categories"]:
        SanctionCategory.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name_id": entry["name_id"],
                "name_en": entry["name_en"],
                "legal_basis": entry["legal_basis"],
                "severity": entry["severity"],
            },
        )
    categories = _categories()
    for order, entry in enumerate(data["types"], start=1):
        SanctionType.objects.update_or_create(
            code=entry["code"],
            defaults={
                "category": _category(categories, entry["category"]),
                "name_id": entry["name_id"],
                "name_en": entry["name_en"],
                "legal_basis": entry["legal_basis"],
                "order": order,
            },
        )
    return len(data["categories"]) + len(data["types"])


@transaction.atomic
def load_violations() -> int:
    """Load violation groups and their items from data/violations.json; return the number of rows.

    Needs the sanction categories (``load_sanctions`` first).
    """
    data = _read("violations.json")
    _check_codes("violation groups", [g["code"] for g in data["groups"]], GROUP_CODES)
    categories = _categories()

    count = 0
    for group_order, entry in enumerate(data["groups"], start=1):
        group, _created = ViolationGroup.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name_id": entry["name_id"],
                "name_en": entry["name_en"],
                "description_id": entry["description_id"],
                "description_en": entry["description_en"],
                "examples_id": "\n".join(entry["examples_id"]),
                "examples_en": "\n".join(entry["examples_en"]),
                "legal_basis": entry["legal_basis"],
                "sanction_category": _category(categories, entry["sanction_category"]),
                "order": group_order,
            },
        )
        count += 1
        for item_order, item in enumerate(entry["items"], start=1):
            ViolationItem.objects.update_or_create(
                code=item["code"],
                defaults={
                    "group": group,
                    "name_id": item["name_id"],
                    "name_en": item["name_en"],
                    "description_id": item["description_id"],
                    "description_en": item["description_en"],
                    "legal_basis": item["legal_basis"],
                    "ethics_category": _category(categories, item["ethics_category"]),
                    "discipline_category": _category(categories, item["discipline_category"]),
                    "phase_note_id": item["phase_note_id"],
                    "phase_note_en": item["phase_note_en"],
                    "order": item_order,
                },
            )
            count += 1
    return count


def _read(filename: str) -> dict[str, Any]:
    with (DATA_DIR / filename).open(encoding="utf-8") as f:
        return json.load(f)


def _check_codes(label: str, found: list[str], contract: tuple[str, ...]) -> None:
    # The codes are the API contract: a typo in the data file must stop the load, not ship.
    if len(found) != len(set(found)) or set(found) != set(contract):
        missing = sorted(set(contract) - set(found))
        unknown = sorted(set(found) - set(contract))
        raise ValueError(f"{label}: codes differ from the API contract (missing {missing}, unknown {unknown})")


def _categories() -> dict[str, SanctionCategory]:
    return {category.code: category for category in SanctionCategory.objects.all()}


def _category(categories: dict[str, SanctionCategory], code: str | None) -> SanctionCategory | None:
    if code is None:
        return None
    try:
        return categories[code]
    except KeyError:
        raise ValueError(f"unknown sanction category {code!r}: load the sanctions first") from None


# --- selectors -----------------------------------------------------------------------------------


def violation_groups() -> QuerySet[ViolationGroup]:
    """All groups in catalogue order, with their items and every sanction category fetched."""
    items = ViolationItem.objects.select_related("ethics_category", "discipline_category").order_by("order")
    return ViolationGroup.objects.select_related("sanction_category").prefetch_related(
        Prefetch("items", queryset=items)
    )


def designation_date(election: Election) -> date | None:
    """First day of the candidate designation phase (penetapan calon), if the calendar has it."""
    return (
        ElectionPhase.objects.filter(election=election, kind=ElectionPhase.Kind.DESIGNATION)
        .values_list("start", flat=True)
        .first()
    )


def suggest_category(
    item_or_group: ViolationItem | ViolationGroup, incident_date: date, election: Election | None = None
) -> SanctionCategory | None:
    """Suggest the sanction category for conduct on ``incident_date``; the officer decides.

    Before the candidates of the election are designated, the SKB 2022 treats the conduct as a
    code-of-ethics matter around a *bakal calon* (moral sanction, PP 42/2004 art. 15); from the
    designation day on, as a discipline matter (PP 94/2021 art. 5 n). An item with only one of the
    two gets that one in either phase. Without ``election`` the election of the phase in force on
    that day is used (``elections.phase_on``); when there is none, or it has no designation phase,
    the discipline category is suggested. ``None`` when the catalogue has no category (``other``).
    """
    ethics, discipline = _categories_of(item_or_group)
    if _before_designation(incident_date, election):
        return ethics or discipline
    return discipline or ethics


def _before_designation(day: date, election: Election | None) -> bool:
    if election is None:
        phase = phase_on(day)
        if phase is None:
            return False
        election = phase.election
    designated_on = designation_date(election)
    return designated_on is not None and day < designated_on


def _categories_of(
    item_or_group: ViolationItem | ViolationGroup,
) -> tuple[SanctionCategory | None, SanctionCategory | None]:
    if isinstance(item_or_group, ViolationItem):
        return item_or_group.ethics_category, item_or_group.discipline_category
    # A group's ethics side is the lightest ethics category among its items (items.all() uses
    # the prefetch of violation_groups() when there is one).
    ethics = [item.ethics_category for item in item_or_group.items.all() if item.ethics_category is not None]
    lightest = min(ethics, key=lambda category: category.severity, default=None)
    return lightest, item_or_group.sanction_category
