"""netra.turns.my_turn: the first caller of each interval wins; a process asks the cache once per slot."""

import datetime

import time_machine
from django.core.cache import cache

from netra import turns

KEY, INTERVAL = "netra:test:turn", 3600
SLOT_START = datetime.datetime(2026, 12, 2, 10, 0, 0, tzinfo=datetime.UTC)  # a slot of 3600 s begins


def test_the_first_caller_of_a_slot_wins_and_later_ones_do_not():
    with time_machine.travel(SLOT_START, tick=False):
        turns.pass_turn(KEY, INTERVAL)
        assert [turns.my_turn(KEY, INTERVAL) for _ in range(3)] == [True, False, False]
        turns.pass_turn(KEY, INTERVAL)


def test_a_process_that_asked_in_a_slot_does_not_ask_the_cache_again():
    with time_machine.travel(SLOT_START, tick=False):
        turns.pass_turn(KEY, INTERVAL)
        assert turns.my_turn(KEY, INTERVAL)
        # The slot's claim vanishes from the cache: were the cache asked again, the add would win.
        cache.delete(turns._slot_key(KEY, INTERVAL))
        assert not turns.my_turn(KEY, INTERVAL)
        turns.pass_turn(KEY, INTERVAL)


def test_a_slot_another_process_took_is_lost_here_too():
    with time_machine.travel(SLOT_START, tick=False):
        turns.pass_turn(KEY, INTERVAL)
        cache.add(turns._slot_key(KEY, INTERVAL), 1)  # another worker won this slot
        assert [turns.my_turn(KEY, INTERVAL) for _ in range(2)] == [False, False]
        turns.pass_turn(KEY, INTERVAL)


def test_the_next_slot_is_asked_for_again():
    with time_machine.travel(SLOT_START, tick=False) as traveller:
        turns.pass_turn(KEY, INTERVAL)
        assert turns.my_turn(KEY, INTERVAL)
        traveller.shift(INTERVAL)  # the interval has passed: a new slot
        assert [turns.my_turn(KEY, INTERVAL), turns.my_turn(KEY, INTERVAL)] == [True, False]
        turns.pass_turn(KEY, INTERVAL)


def test_without_a_cache_the_process_takes_turns_itself(settings):
    # A port nothing listens on: every add fails. The work is not stopped, and not done by every
    # caller either (with Redis down every report opened and sealed the whole backlog): one turn
    # per slot in this process, as with a per-process cache; nothing is remembered as asked.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    turns._local_turns.pop(KEY, None)
    with time_machine.travel(SLOT_START, tick=False):
        assert [turns.my_turn(KEY, INTERVAL) for _ in range(3)] == [True, False, False]
    with time_machine.travel(SLOT_START + datetime.timedelta(seconds=INTERVAL), tick=False):
        assert turns.my_turn(KEY, INTERVAL) is True
    assert KEY not in turns._asked
    turns._local_turns.pop(KEY, None)


def test_an_interval_of_zero_is_always_a_turn():
    assert [turns.my_turn(KEY, 0) for _ in range(3)] == [True, True, True]
