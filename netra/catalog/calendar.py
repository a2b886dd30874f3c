"""Working days (hari kerja) of government offices, for deadlines counted in working days.

A day is a working day unless it is a Saturday or Sunday, a national holiday (hari libur
nasional) according to the ``holidays`` library, or a ``NonWorkingDay`` row (cuti bersama and
other days off decided during the year, editable in the admin and shipped for 2024-2026 in
``data/cuti_bersama.json``).

Only the library's *public* category is used. It also has a *government* category with the cuti
bersama of each year (identical to our data for 2024-2026), but cuti bersama are changed by SKB
during the year (18 Aug 2025 was added in August 2025), so they live in the database where an
admin can add or remove one without waiting for a library release.

Conventions (``add_working_days``):
- ``n > 0``: the n-th working day *after* ``start``; ``start`` itself is never counted, so a
  report received on a Friday with a 3-working-day limit is due on Wednesday.
- ``n == 0``: ``start`` if it is a working day, else the next working day.
- ``n < 0``: the |n|-th working day before ``start``.
``working_days_between(a, b)`` is its inverse: the working days d with a < d <= b (negative
when b < a), so ``working_days_between(a, add_working_days(a, n)) == n`` for n >= 0.

For loops over many cases create one ``WorkingCalendar`` and reuse it: it reads the
``NonWorkingDay`` rows of each calendar year once. The module-level functions use a fresh one
per call (one query).
"""

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays
from django.db import transaction

from netra.catalog.models import NonWorkingDay

DATA_FILE = Path(__file__).resolve().parent / "data" / "cuti_bersama.json"

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=128)
def national_holidays(year: int) -> frozenset[date]:
    """Indonesian national holidays of a year (public category of the ``holidays`` library)."""
    return frozenset(holidays.country_holidays("ID", years=year))


class WorkingCalendar:
    """Working-day arithmetic; extra days off are read once per calendar year and then kept."""

    def __init__(self) -> None:
        self._years: set[int] = set()
        self._days_off: set[date] = set()

    def _load_years(self, first: int, last: int) -> None:
        missing = [y for y in range(first, last + 1) if y not in self._years]
        if not missing:
            return
        rows = NonWorkingDay.objects.filter(date__range=(date(missing[0], 1, 1), date(missing[-1], 12, 31)))
        self._days_off.update(rows.values_list("date", flat=True))
        self._years.update(range(missing[0], missing[-1] + 1))

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if day.year not in self._years:
            self._load_years(day.year, day.year)
        return day not in national_holidays(day.year) and day not in self._days_off

    def add_working_days(self, start: date, n: int) -> date:
        step = ONE_DAY if n >= 0 else -ONE_DAY
        # Load the years a generous guess of the span covers in one query, not one per year.
        reach = start + step * (abs(n) * 2 + 30)
        self._load_years(min(start, reach).year, max(start, reach).year)
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += ONE_DAY
            return day
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        if b < a:
            return -self.working_days_between(b, a)
        self._load_years(a.year, b.year)
        count = 0
        day = a + ONE_DAY
        while day <= b:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count


def is_working_day(day: date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (see the module docstring for n <= 0)."""
    return WorkingCalendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days d with a < d <= b; negative when b < a."""
    return WorkingCalendar().working_days_between(a, b)


@transaction.atomic
def load_cuti_bersama(*, path: Path = DATA_FILE) -> int:
    """Insert or update the shipped cuti bersama days (idempotent); returns how many the file has.

    Days added in the admin are kept; a shipped day an admin deleted comes back on the next load.
    """
    count = 0
    for year in json.loads(path.read_text(encoding="utf-8")):
        for item in year["days"]:
            NonWorkingDay.objects.update_or_create(
                date=date.fromisoformat(item["date"]), defaults={"description": item["description"]}
            )
            count += 1
    return count
