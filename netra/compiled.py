"""Statements compiled once per process for each shape, then run with other values.

Building and compiling a queryset is Python work (filters, annotations, joins, the compiler):
~5 ms for the case page's log, a ``UNION ALL`` of five parts with fourteen columns each. Its SQL
is the same for every case but for a few plain values (the case's id, its reports' ids). A
*shape* names such a queryset: the first call of a shape builds it with stand-ins for those
values, compiles it and notes where each stand-in lands among the statement's parameters; every
call then runs that SQL with its own values in those places and gives the rows ``values()``
would have given (the same column names, the same converters: JSON decoded, SQLite's dates and
datetimes parsed).

Only for ``values()`` querysets whose varying values are ``int`` or ``str`` compared as they are
(``=``, ``IN``). A lookup that rewrites its value (``iexact`` on SQLite escapes it, ``contains``
wraps it in ``%``) would leave its stand-in unfound or changed: the shape is then not kept and the
queryset is run the ordinary way, every time (``shaped_values`` never guesses).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

MAX_SHAPES = 256  # per process; past it the kept shapes are dropped and compiled again as asked


@dataclass(frozen=True)
class _Shape:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (parameter position, index of the value put there)
    names: tuple[str, ...]
    converters: tuple  # (column position, (converter functions, expression)), as Django's compiler


_SHAPES: dict[tuple, _Shape | None] = {}  # None: the shape could not be kept (run the ordinary way)


def _stand_ins(values: Sequence[Any]) -> list[Any] | None:
    out: list[Any] = []
    for at, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        # Values no row or other parameter holds: a negative id; a string with control characters
        # and the characters a LIKE escapes (so a lookup that escapes its value shows it).
        out.append(-(7_300_000_000_000 + at) if isinstance(value, int) else f"\x1fnetra%_\\shape{at}\x1f")
    return out


def _compile(build: Callable[..., QuerySet], values: Sequence[Any], using: str) -> _Shape | None:
    stand_ins = _stand_ins(values)
    if stand_ins is None:
        return None
    qs = build(*stand_ins)
    compiler = qs.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots: list[tuple[int, int]] = []
    for position, param in enumerate(params):
        matched = [at for at, stand_in in enumerate(stand_ins) if type(param) is type(stand_in) and param == stand_in]
        if matched:
            slots.append((position, matched[0]))
        elif isinstance(param, str) and "netra" in param and "shape" in param:
            return None  # a stand-in rewritten by its lookup: the real value would need the same
    if {at for _position, at in slots} != set(range(len(stand_ins))):
        return None  # a value that is not a parameter of its own (dropped, or part of another)
    query = qs.query
    if query.selected:
        names = tuple(query.selected)
    else:  # as Django's ValuesIterable
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())
    return _Shape(sql, tuple(params), tuple(slots), names, converters)


def shaped_values(
    key: tuple, build: Callable[..., QuerySet], values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS
) -> list[dict]:
    """``list(build(*values))`` — ``build`` returning a ``values()`` queryset — compiled once per
    ``key`` and process. ``key`` must name everything but ``values`` that changes the SQL (the
    number of ids in an ``IN`` list included)."""
    connection = connections[using]
    full_key = (using, connection.vendor, key)
    if full_key not in _SHAPES:
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[full_key] = _compile(build, values, using)
    shape = _SHAPES[full_key]
    if shape is None:
        return list(build(*values))
    params = list(shape.params)
    for position, at in shape.slots:
        params[position] = values[at]
    with connection.cursor() as cursor:
        cursor.execute(shape.sql, params)
        rows = cursor.fetchall()
    names = shape.names
    out = []
    for raw in rows:
        row = list(raw)
        for position, (functions, expression) in shape.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        out.append(dict(zip(names, row, strict=False)))
    return out
