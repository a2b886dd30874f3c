from datetime import date

import pytest

from netra.catalog.elections import election_on, load_elections, phase_on
from netra.catalog.models import Election, ElectionPhase

pytestmark = pytest.mark.django_db

Kind = ElectionPhase.Kind


@pytest.fixture
def loaded():
    return load_elections()


def test_load_creates_both_2024_elections(loaded):
    assert loaded == 2
    assert set(Election.objects.values_list("code", "voting_date")) == {
        ("pemilu-2024", date(2024, 2, 14)),
        ("pilkada-2024", date(2024, 11, 27)),
    }


def test_each_election_has_all_six_phases(loaded):
    for election in Election.objects.all():
        assert set(election.phases.values_list("kind", flat=True)) == set(Kind.values)


def test_every_election_names_its_source(loaded):
    assert not Election.objects.filter(source="").exists()


@pytest.mark.parametrize(
    ("day", "election", "kind"),
    [
        (date(2023, 6, 1), "pemilu-2024", Kind.PRE_DESIGNATION),
        (date(2023, 11, 13), "pemilu-2024", Kind.DESIGNATION),
        (date(2023, 11, 27), "pemilu-2024", Kind.DESIGNATION),
        (date(2023, 11, 28), "pemilu-2024", Kind.CAMPAIGN),
        (date(2024, 1, 15), "pemilu-2024", Kind.CAMPAIGN),
        (date(2024, 2, 10), "pemilu-2024", Kind.CAMPAIGN),
        (date(2024, 2, 12), "pemilu-2024", Kind.QUIET),
        (date(2024, 2, 14), "pemilu-2024", Kind.VOTING),
        (date(2024, 3, 1), "pemilu-2024", Kind.COUNTING),
        (date(2024, 8, 20), "pilkada-2024", Kind.PRE_DESIGNATION),
        (date(2024, 9, 22), "pilkada-2024", Kind.DESIGNATION),
        (date(2024, 10, 10), "pilkada-2024", Kind.CAMPAIGN),
        (date(2024, 11, 25), "pilkada-2024", Kind.QUIET),
        (date(2024, 11, 27), "pilkada-2024", Kind.VOTING),
        (date(2024, 12, 2), "pilkada-2024", Kind.COUNTING),
    ],
)
def test_phase_of_a_date_for_a_given_election(loaded, day, election, kind):
    assert phase_on(day, election).kind == kind


def test_phase_accepts_an_election_object(loaded):
    assert phase_on(date(2024, 10, 10), Election.objects.get(code="pilkada-2024")).kind == Kind.CAMPAIGN


def test_a_date_before_the_stages_began_counts_as_before_designation(loaded):
    phase = phase_on(date(2021, 5, 1), "pemilu-2024")
    assert (phase.election_id, phase.kind) == ("pemilu-2024", Kind.PRE_DESIGNATION)


def test_a_date_before_the_pilkada_stages_began_is_before_its_designation(loaded):
    # During the Pemilu campaign the Pilkada 2024 stages had not begun.
    phase = phase_on(date(2024, 1, 10), "pilkada-2024")
    assert (phase.election_id, phase.kind) == ("pilkada-2024", Kind.PRE_DESIGNATION)


def test_no_phase_after_counting_ended(loaded):
    assert phase_on(date(2025, 1, 10), "pilkada-2024") is None
    assert phase_on(date(2025, 1, 10)) is None


def test_without_an_election_the_running_one_is_found(loaded):
    phase = phase_on(date(2024, 10, 10))
    assert (phase.election_id, phase.kind) == ("pilkada-2024", Kind.CAMPAIGN)


def test_without_an_election_the_shorter_overlapping_phase_wins(loaded):
    # 1 March 2024: Pemilu recapitulation and the Pilkada's early stages both run.
    phase = phase_on(date(2024, 3, 1))
    assert (phase.election_id, phase.kind) == ("pemilu-2024", Kind.COUNTING)


def test_election_on_lists_the_elections_whose_stages_cover_a_date(loaded):
    assert list(election_on(date(2024, 3, 1)).values_list("code", flat=True)) == ["pemilu-2024", "pilkada-2024"]
    assert list(election_on(date(2024, 10, 1)).values_list("code", flat=True)) == ["pilkada-2024"]
    assert not election_on(date(2025, 6, 1)).exists()


def test_loading_twice_changes_nothing(loaded):
    before = list(ElectionPhase.objects.values_list("pk", "election_id", "kind", "start", "end"))
    assert load_elections() == 2
    assert list(ElectionPhase.objects.values_list("pk", "election_id", "kind", "start", "end")) == before
    assert Election.objects.count() == 2


def test_loading_restores_an_edited_date_and_a_deleted_phase(loaded):
    election = Election.objects.get(code="pemilu-2024")
    election.phases.filter(kind=Kind.QUIET).update(end=date(2024, 2, 12))
    election.phases.filter(kind=Kind.COUNTING).delete()
    load_elections()
    assert election.phases.get(kind=Kind.QUIET).end == date(2024, 2, 13)
    assert election.phases.filter(kind=Kind.COUNTING).exists()
