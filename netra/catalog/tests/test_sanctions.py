import pytest

from netra.catalog.models import SanctionCategory, SanctionType
from netra.catalog.violations import SANCTION_CATEGORY_CODES, SANCTION_TYPE_CODES, load_sanctions

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_sanctions()


def _snapshot():
    return (
        list(SanctionCategory.objects.order_by("code").values()),
        list(SanctionType.objects.order_by("code").values()),
    )


def test_load_returns_the_number_of_rows(loaded):
    assert loaded == 6 + 13
    assert SanctionCategory.objects.count() == 6
    assert SanctionType.objects.count() == 13


def test_every_sanction_category_of_the_api_exists(loaded):
    assert set(SanctionCategory.objects.values_list("code", flat=True)) == set(SANCTION_CATEGORY_CODES)


def test_categories_run_from_closed_moral_statement_to_dismissal(loaded):
    ordered = list(SanctionCategory.objects.order_by("severity").values_list("code", flat=True))
    assert ordered == list(SANCTION_CATEGORY_CODES)


def test_every_sanction_type_of_the_api_exists(loaded):
    assert set(SanctionType.objects.values_list("code", flat=True)) == set(SANCTION_TYPE_CODES)


def test_every_sanction_type_except_none_has_a_category(loaded):
    without = SanctionType.objects.exclude(code="none").filter(category__isnull=True)
    assert list(without.values_list("code", flat=True)) == []


def test_none_has_no_category(loaded):
    assert SanctionType.objects.get(code="none").category is None


@pytest.mark.parametrize(
    ("type_code", "category_code"),
    [
        ("reprimand_oral", "discipline_light"),
        ("reprimand_written", "discipline_light"),
        ("statement_dissatisfaction", "discipline_light"),
        ("tukin_cut_6m", "discipline_moderate"),
        ("tukin_cut_9m", "discipline_moderate"),
        ("tukin_cut_12m", "discipline_moderate"),
        ("demotion_12m", "discipline_heavy"),
        ("release_from_position_12m", "discipline_heavy"),
        ("dismissal_honourable", "discipline_heavy"),
        ("dismissal_dishonourable", "dismissal"),
        ("moral_closed", "moral_closed"),
        ("moral_open", "moral_open"),
    ],
)
def test_sanction_type_belongs_to_its_regulation_level(loaded, type_code, category_code):
    # PP 94/2021 art. 8 (2)-(4); PP 42/2004 art. 15 (3); UU ASN for party membership.
    assert SanctionType.objects.get(code=type_code).category_id == category_code


def test_every_category_and_type_except_none_cites_an_article(loaded):
    uncited = [c.code for c in SanctionCategory.objects.all() if "Pasal" not in c.legal_basis]
    uncited += [t.code for t in SanctionType.objects.exclude(code="none") if "Pasal" not in t.legal_basis]
    assert uncited == []


def test_indonesian_names_are_those_of_the_regulation(loaded):
    names = dict(SanctionType.objects.values_list("code", "name_id"))
    assert names["reprimand_oral"] == "Teguran lisan"
    assert names["statement_dissatisfaction"] == "Pernyataan tidak puas secara tertulis"
    assert names["tukin_cut_9m"] == "Pemotongan tunjangan kinerja sebesar 25% selama 9 (sembilan) bulan"
    assert names["dismissal_honourable"] == "Pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"


def test_every_row_has_names_in_both_languages(loaded):
    rows = list(SanctionCategory.objects.values("code", "name_id", "name_en"))
    rows += list(SanctionType.objects.values("code", "name_id", "name_en"))
    assert [row["code"] for row in rows if not (row["name_id"] and row["name_en"])] == []


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    assert load_sanctions() == loaded
    assert _snapshot() == before


def test_loading_again_restores_an_edited_name(loaded):
    SanctionType.objects.filter(code="reprimand_oral").update(name_id="diubah")
    load_sanctions()
    assert SanctionType.objects.get(code="reprimand_oral").name_id == "Teguran lisan"


def test_a_type_no_longer_in_the_file_is_kept():
    # Past decisions may point at it.
    category = SanctionCategory.objects.create(
        code="discipline_light", name_id="x", name_en="x", legal_basis="x", severity=2
    )
    SanctionType.objects.create(code="withdrawn_type", category=category, name_id="x", name_en="x")
    load_sanctions()
    assert SanctionType.objects.filter(code="withdrawn_type").exists()
