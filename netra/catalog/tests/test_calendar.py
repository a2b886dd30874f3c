import json
from datetime import date

import holidays
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netra.catalog.calendar import (
    DATA_FILE,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    load_cuti_bersama,
    working_days_between,
)
from netra.catalog.models import NonWorkingDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def cuti_bersama():
    return load_cuti_bersama()


def test_load_returns_the_number_of_shipped_days(cuti_bersama):
    assert cuti_bersama == 29  # 2024: 10, 2025: 11, 2026: 8
    assert NonWorkingDay.objects.count() == 29


def test_loading_twice_changes_nothing(cuti_bersama):
    before = list(NonWorkingDay.objects.values_list("pk", "date", "description"))
    assert load_cuti_bersama() == 29
    assert list(NonWorkingDay.objects.values_list("pk", "date", "description")) == before


def test_shipped_cuti_bersama_match_the_government_category_of_the_holidays_library():
    # Two independent sources (our reading of the SKB, the library's maintainers) must agree.
    for year in json.loads(DATA_FILE.read_text(encoding="utf-8")):
        shipped = {date.fromisoformat(d["date"]) for d in year["days"]}
        library = set(holidays.country_holidays("ID", years=year["year"], categories=("government",)))
        assert shipped == library, year["year"]


def test_weekdays_without_holidays_are_working_days():
    assert is_working_day(date(2024, 3, 4))  # Monday


def test_saturday_and_sunday_are_not_working_days():
    assert not is_working_day(date(2024, 3, 2))
    assert not is_working_day(date(2024, 3, 3))


def test_national_holidays_of_idul_fitri_2024_are_not_working_days():
    assert not is_working_day(date(2024, 4, 10))
    assert not is_working_day(date(2024, 4, 11))


def test_cuti_bersama_of_idul_fitri_2024_are_not_working_days(cuti_bersama):
    for day in (8, 9, 12, 15):
        assert not is_working_day(date(2024, 4, day)), day
    assert is_working_day(date(2024, 4, 16))


def test_cuti_bersama_are_working_days_until_loaded():
    # They come from the database, not from the library's government category.
    assert is_working_day(date(2024, 4, 8))


def test_pemilu_and_pilkada_voting_days_2024_are_holidays():
    assert not is_working_day(date(2024, 2, 14))
    assert not is_working_day(date(2024, 11, 27))


def test_a_day_off_added_in_the_admin_is_not_a_working_day():
    day = date(2024, 7, 3)  # Wednesday
    assert is_working_day(day)
    NonWorkingDay.objects.create(date=day, description="Libur daerah")
    assert not is_working_day(day)
    assert add_working_days(date(2024, 7, 2), 1) == date(2024, 7, 4)


def test_adding_working_days_skips_the_weekend():
    assert add_working_days(date(2024, 3, 1), 1) == date(2024, 3, 4)  # Friday -> Monday
    assert add_working_days(date(2024, 3, 1), 3) == date(2024, 3, 6)


def test_adding_working_days_skips_the_whole_lebaran_2024_break(cuti_bersama):
    # Friday 5 April 2024: 6-15 April are weekend, national holiday or cuti bersama.
    assert add_working_days(date(2024, 4, 5), 1) == date(2024, 4, 16)


def test_adding_zero_working_days_keeps_a_working_day():
    assert add_working_days(date(2024, 3, 4), 0) == date(2024, 3, 4)


def test_adding_zero_working_days_moves_a_holiday_to_the_next_working_day():
    assert add_working_days(date(2024, 3, 2), 0) == date(2024, 3, 4)


def test_adding_working_days_across_the_year_boundary(cuti_bersama):
    # 26 Dec 2024 cuti bersama, 28-29 weekend, 1 Jan 2025 holiday.
    assert add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 27)
    assert add_working_days(date(2024, 12, 24), 3) == date(2024, 12, 31)
    assert add_working_days(date(2024, 12, 24), 4) == date(2025, 1, 2)


def test_subtracting_working_days():
    assert add_working_days(date(2024, 3, 4), -1) == date(2024, 3, 1)


def test_fourteen_working_days_across_lebaran_2024(cuti_bersama):
    # A PPK's 14-working-day limit from Monday 1 April 2024 loses 6-15 April entirely.
    assert add_working_days(date(2024, 4, 1), 14) == date(2024, 4, 29)


def test_working_days_between_inverts_adding(cuti_bersama):
    start = date(2024, 3, 28)
    for n in range(0, 40, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(date(2024, 3, 4), date(2024, 3, 8)) == 4
    assert working_days_between(date(2024, 3, 8), date(2024, 3, 4)) == -4
    assert working_days_between(date(2024, 3, 4), date(2024, 3, 4)) == 0


def test_working_days_between_across_the_year_boundary(cuti_bersama):
    # 27, 30, 31 Dec 2024 and 2, 3 Jan 2025.
    assert working_days_between(date(2024, 12, 24), date(2025, 1, 3)) == 5


def test_a_reused_calendar_reads_the_days_off_once_per_year(cuti_bersama):
    calendar = WorkingCalendar()
    with CaptureQueriesContext(connection) as queries:
        for day in range(1, 29):
            calendar.add_working_days(date(2024, 2, day), 10)
    assert len(queries) == 1
