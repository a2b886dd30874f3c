import json
from datetime import date

import pytest

from netra.catalog import violations
from netra.catalog.models import Election, ElectionPhase, SanctionCategory, ViolationGroup, ViolationItem
from netra.catalog.violations import (
    GROUP_CODES,
    NOT_VIOLATION,
    TRIAGE_CODES,
    load_sanctions,
    load_violations,
    suggest_category,
    violation_groups,
)

pytestmark = pytest.mark.django_db

DESIGNATION = date(2024, 9, 22)


@pytest.fixture
def loaded():
    load_sanctions()
    return load_violations()


def _election(code, voting, phases):
    election = Election.objects.create(code=code, name=code, kind=Election.Kind.PILKADA, voting_date=voting)
    for kind, start, end in phases:
        ElectionPhase.objects.create(election=election, kind=kind, start=start, end=end)
    return election


@pytest.fixture
def pilkada():
    kind = ElectionPhase.Kind
    return _election(
        "pilkada-2024",
        date(2024, 11, 27),
        [
            (kind.PRE_DESIGNATION, date(2024, 1, 1), date(2024, 9, 21)),
            (kind.DESIGNATION, DESIGNATION, date(2024, 9, 24)),
            (kind.CAMPAIGN, date(2024, 9, 25), date(2024, 11, 23)),
            (kind.QUIET, date(2024, 11, 24), date(2024, 11, 26)),
            (kind.VOTING, date(2024, 11, 27), date(2024, 11, 27)),
            (kind.COUNTING, date(2024, 11, 28), date(2024, 12, 16)),
        ],
    )


def _item(code):
    return ViolationItem.objects.select_related("ethics_category", "discipline_category").get(code=code)


def _snapshot():
    return (
        list(ViolationGroup.objects.order_by("code").values()),
        list(ViolationItem.objects.order_by("code").values()),
    )


# --- the catalogue -------------------------------------------------------------------------------


def test_load_returns_the_number_of_rows(loaded):
    assert loaded == ViolationGroup.objects.count() + ViolationItem.objects.count()
    assert ViolationItem.objects.count() == 20


def test_group_codes_are_exactly_those_of_the_api_contract(loaded):
    assert sorted(ViolationGroup.objects.values_list("code", flat=True)) == sorted(GROUP_CODES)
    assert len(GROUP_CODES) == 11


def test_groups_come_in_the_order_of_the_domain_brief(loaded):
    assert tuple(ViolationGroup.objects.values_list("code", flat=True)) == GROUP_CODES


def test_triage_codes_are_the_groups_plus_not_violation():
    assert TRIAGE_CODES[:-1] == GROUP_CODES
    assert TRIAGE_CODES[-1] == NOT_VIOLATION == "not_violation"


def test_every_group_has_a_legal_basis(loaded):
    assert list(ViolationGroup.objects.filter(legal_basis="").values_list("code", flat=True)) == []


def test_every_group_except_other_has_a_sanction_category(loaded):
    without = ViolationGroup.objects.exclude(code="other").filter(sanction_category__isnull=True)
    assert list(without.values_list("code", flat=True)) == []


def test_other_group_has_no_fixed_sanction_category(loaded):
    assert ViolationGroup.objects.get(code="other").sanction_category is None


def test_every_group_has_items(loaded):
    assert list(ViolationGroup.objects.filter(items__isnull=True).values_list("code", flat=True)) == []


def test_every_group_has_names_descriptions_and_examples_in_both_languages(loaded):
    fields = ["name_id", "name_en", "description_id", "description_en", "examples_id", "examples_en"]
    incomplete = [g["code"] for g in ViolationGroup.objects.values("code", *fields) if not all(g[f] for f in fields)]
    assert incomplete == []


def test_every_item_has_a_legal_basis(loaded):
    assert list(ViolationItem.objects.filter(legal_basis="").values_list("code", flat=True)) == []


def test_every_item_outside_other_has_at_least_one_sanction_category(loaded):
    without = ViolationItem.objects.exclude(group="other").filter(
        ethics_category__isnull=True, discipline_category__isnull=True
    )
    assert list(without.values_list("code", flat=True)) == []


def test_ethics_categories_are_moral_sanctions(loaded):
    # PP 42/2004 art. 15: code-of-ethics violations carry a moral sanction only.
    used = set(ViolationItem.objects.exclude(ethics_category=None).values_list("ethics_category", flat=True))
    assert used <= {"moral_closed", "moral_open"}


def test_party_membership_leads_to_dismissal(loaded):
    # UU 5/2014 art. 87 (4) c; UU 20/2023 art. 52 (3) j and (4).
    assert ViolationGroup.objects.get(code="party_membership").sanction_category_id == "dismissal"


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    assert load_violations() == loaded
    assert _snapshot() == before


def test_an_item_no_longer_in_the_file_is_kept(loaded):
    # Past cases may point at it.
    ViolationItem.objects.create(code="withdrawn_item", group_id="other", name_id="x", name_en="x", legal_basis="x")
    load_violations()
    assert ViolationItem.objects.filter(code="withdrawn_item").exists()


def test_loader_refuses_a_file_whose_group_codes_leave_the_contract(tmp_path, monkeypatch):
    load_sanctions()
    data = json.loads((violations.DATA_DIR / "violations.json").read_text(encoding="utf-8"))
    data["groups"][0]["code"] = "socmed"
    (tmp_path / "violations.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(violations, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="socmed"):
        load_violations()
    assert not ViolationGroup.objects.exists()


def test_loader_needs_the_sanctions_first():
    with pytest.raises(ValueError, match="load the sanctions first"):
        load_violations()


def test_violation_groups_fetch_items_and_categories_in_two_queries(loaded, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = [
            (group.sanction_category, [(i.ethics_category, i.discipline_category) for i in group.items.all()])
            for group in violation_groups()
        ]
    assert len(rows) == 11


# --- suggest_category ----------------------------------------------------------------------------


def test_item_with_both_categories_gets_the_moral_one_before_designation(loaded, pilkada):
    item = _item("social_media_promotion")
    assert suggest_category(item, date(2024, 9, 21), pilkada).code == "moral_closed"


def test_item_with_both_categories_gets_the_discipline_one_on_designation_day(loaded, pilkada):
    item = _item("social_media_promotion")
    assert suggest_category(item, DESIGNATION, pilkada).code == "discipline_heavy"


def test_item_with_both_categories_gets_the_discipline_one_after_designation(loaded, pilkada):
    item = _item("social_media_promotion")
    assert suggest_category(item, date(2024, 10, 30), pilkada).code == "discipline_heavy"


def test_item_without_ethics_category_gets_its_discipline_one_before_designation(loaded, pilkada):
    assert suggest_category(_item("party_member_or_officer"), date(2024, 3, 1), pilkada).code == "dismissal"


def test_without_any_election_the_discipline_category_is_suggested(loaded):
    assert suggest_category(_item("photo_with_candidate"), date(2024, 5, 2)).code == "discipline_heavy"


def test_election_without_designation_phase_gives_the_discipline_category(loaded):
    election = _election("pemilu-x", date(2029, 2, 14), [])
    assert suggest_category(_item("photo_with_candidate"), date(2028, 1, 5), election).code == "discipline_heavy"


def test_group_gets_the_moral_category_of_its_items_before_designation(loaded, pilkada):
    group = violation_groups().get(code="attributes_photo")
    assert suggest_category(group, date(2024, 6, 1), pilkada).code == "moral_closed"


def test_group_gets_its_usual_category_after_designation(loaded, pilkada):
    group = violation_groups().get(code="attributes_photo")
    assert suggest_category(group, date(2024, 10, 1), pilkada).code == "discipline_heavy"


def test_other_group_gets_no_suggestion(loaded, pilkada):
    assert suggest_category(violation_groups().get(code="other"), date(2024, 10, 1), pilkada) is None


def test_suggested_category_is_a_sanction_category(loaded, pilkada):
    assert isinstance(suggest_category(_item("giving_goods"), date(2024, 10, 1), pilkada), SanctionCategory)


def test_without_election_the_phase_of_the_day_decides(loaded, pilkada):
    assert suggest_category(_item("photo_with_candidate"), date(2024, 5, 2)).code == "moral_closed"
    assert suggest_category(_item("photo_with_candidate"), date(2024, 10, 2)).code == "discipline_heavy"


def test_without_election_a_day_before_any_stage_counts_as_before_designation(loaded, pilkada):
    assert suggest_category(_item("photo_with_candidate"), date(2023, 12, 1)).code == "moral_closed"


def test_without_election_the_counting_phase_gives_the_discipline_category(loaded, pilkada):
    assert suggest_category(_item("photo_with_candidate"), date(2024, 12, 1)).code == "discipline_heavy"


def test_without_election_a_day_after_every_stage_gives_the_discipline_category(loaded, pilkada):
    assert suggest_category(_item("photo_with_candidate"), date(2025, 6, 1)).code == "discipline_heavy"
