"""Statements compiled once per process for each shape, then run with other values.

Building and compiling a queryset is Python work (filters, annotations, joins, the compiler):
~5 ms for the case page's log, a ``UNION ALL`` of five parts with fourteen columns each. Its SQL
is the same for every case but for a few plain values (the case's id, its reports' ids). A
*shape* names such a queryset: the first call of a shape builds it with stand-ins for those
values, compiles it and notes where each stand-in lands among the statement's parameters; every
call then runs that SQL with its own values in those places and gives the rows ``values()``
would have given (the same column names, the same converters: JSON decoded, SQLite's dates and
datetimes parsed).

``shaped_values`` for a ``values()`` queryset, ``shaped_statement`` for a statement put together
from Django's compiled SQL (the queue's page). The varying values are ``int``, ``str``, dates or
aware datetimes, each a parameter of its own compared as it is (``=``, ``IN``, ``<``), dates and
moments in the backend's form (``adapt_datefield_value``). A lookup that rewrites its value
(``iexact`` on SQLite escapes it, ``contains`` wraps it in ``%``) leaves its stand-in unfound or
changed: the shape is then not kept and the queryset is run the ordinary way, every time (never a
guess). A value of another kind (a naive datetime) is run the ordinary way, and nothing is kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

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


_SHAPES: dict[tuple, Any] = {}  # None: the shape could not be kept (run the ordinary way)


def _stand_ins(values: Sequence[Any], connection) -> tuple[list[Any], list[Any]] | None:
    """Stand-ins for ``values`` and the parameter each becomes once adapted for the database."""
    stand_ins: list[Any] = []
    adapted: list[Any] = []
    for at, value in enumerate(values):
        # Values no row or other parameter holds: a negative id; a string with control characters
        # and the characters a LIKE escapes (so a lookup that escapes its value shows it); a day
        # and a moment of the year 1111.
        if isinstance(value, bool):
            return None
        stand_in: Any
        if isinstance(value, int):
            stand_in = -(7_300_000_000_000 + at)
        elif isinstance(value, str):
            stand_in = f"\x1fnetra%_\\shape{at}\x1f"
        elif isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                return None
            stand_in = datetime.datetime(1111, 1, 1, 11, 11, 11, at, tzinfo=datetime.UTC)
        elif isinstance(value, datetime.date):
            stand_in = datetime.date(1111, 1, 1) + datetime.timedelta(days=at)
        else:
            return None
        stand_ins.append(stand_in)
        adapted.append(_adapt(stand_in, connection))
    return stand_ins, adapted


def _adapt(value: Any, connection) -> Any:
    """A value as a queryset passes it to the database (a date or a moment: the backend's form)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _slots(params: Sequence[Any], adapted: list[Any]) -> tuple[tuple[int, int], ...] | None:
    """Where each stand-in is among ``params``; None when one is missing or was rewritten."""
    slots: list[tuple[int, int]] = []
    for position, param in enumerate(params):
        matched = [at for at, stand_in in enumerate(adapted) if type(param) is type(stand_in) and param == stand_in]
        if matched:
            slots.append((position, matched[0]))
        elif isinstance(param, str) and (("netra" in param and "shape" in param) or "1111-01-" in param):
            return None  # a stand-in rewritten by its lookup: the real value would need the same
    if {at for _position, at in slots} != set(range(len(adapted))):
        return None  # a value that is not a parameter of its own (dropped, or part of another)
    return tuple(slots)


def _compile(build: Callable[..., QuerySet], values: Sequence[Any], using: str) -> _Shape | None:
    made = _stand_ins(values, connections[using])
    if made is None:
        return None
    stand_ins, adapted = made
    qs = build(*stand_ins)
    compiler = qs.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots = _slots(params, adapted)
    if slots is None:
        return None
    query = qs.query
    if query.selected:
        names = tuple(query.selected)
    else:  # as Django's ValuesIterable
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())
    return _Shape(sql, tuple(params), slots, names, converters)


def _kept(full_key: tuple, compile_: Callable[[], Any]) -> Any:
    """The shape kept under ``full_key``, compiled when missing. Threads (gthread workers) may both
    compile a missing shape: the same result, one of them kept; read into a local, as another
    thread may clear the table between two lookups."""
    shape = _SHAPES.get(full_key, _MISSING)
    if shape is _MISSING:
        shape = compile_()
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[full_key] = shape
    return shape


_MISSING = object()


def _params(shape: _Shape, values: Sequence[Any], connection) -> list[Any]:
    """A kept shape's parameters with ``values`` put in their places."""
    params = list(shape.params)
    for position, at in shape.slots:
        params[position] = _adapt(values[at], connection)
    return params


def _fetch(shape, values: Sequence[Any], connection) -> list[tuple]:
    """The rows of a kept shape's statement with ``values`` put in their places."""
    with connection.cursor() as cursor:
        cursor.execute(shape.sql, _params(shape, values, connection))
        return cursor.fetchall()


def shaped_statement(
    key: tuple,
    build: Callable[..., tuple[str, Sequence[Any]] | None],
    values: Sequence[Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, list[Any]] | None:
    """``build(*values)`` — a statement ``(sql, params)`` made of Django's compiled SQL, or None
    for nothing to ask — made once per ``key`` and process, its parameters then filled with
    ``values`` (ints, strings, dates, aware datetimes, as ``shaped_values``). ``key`` must name
    everything but ``values`` that changes the statement."""
    connection = connections[using]
    made = _stand_ins(values, connection)
    if made is None:  # a value of another kind (a naive datetime): as it is, nothing kept
        statement = build(*values)
        return None if statement is None else (statement[0], list(statement[1]))
    stand_ins, adapted = made

    def compile_() -> Any:
        statement = build(*stand_ins)
        if statement is None:
            return _NOTHING
        sql, params = statement
        slots = _slots(params, adapted)
        return None if slots is None else _Shape(sql, tuple(params), slots, (), ())

    shape = _kept((using, connection.vendor, "statement", key), compile_)
    if shape is _NOTHING:
        return None
    if shape is None:
        statement = build(*values)
        return None if statement is None else (statement[0], list(statement[1]))
    return shape.sql, _params(shape, values, connection)


_NOTHING = object()  # a statement shape that asks nothing (an empty scope)


def shaped_values(
    key: tuple, build: Callable[..., QuerySet], values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS
) -> list[dict]:
    """``list(build(*values))`` — ``build`` returning a ``values()`` queryset — compiled once per
    ``key`` and process. ``key`` must name everything but ``values`` that changes the SQL (the
    number of ids in an ``IN`` list included)."""
    connection = connections[using]
    if _stand_ins(values, connection) is None:  # a value of another kind: as it is, nothing kept
        return list(build(*values))
    shape = _kept((using, connection.vendor, key), lambda: _compile(build, values, using))
    if shape is None:
        return list(build(*values))
    rows = _fetch(shape, values, connection)
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


@dataclass(frozen=True)
class _InstanceShape:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]
    # Kept for its converters (``results_iter``), never executed again; the connection it names
    # (the compiling thread's) is only passed to the converters, which do not use it to query.
    compiler: Any
    init_list: tuple[str, ...]
    fields: tuple[int, int]  # where the model's own columns start and end
    populators: tuple  # Django's RelatedPopulator per select_related model
    annotations: tuple[tuple[str, int], ...]


def _compile_instances(build: Callable[..., QuerySet], values: Sequence[Any], using: str) -> _InstanceShape | None:
    from django.core.exceptions import EmptyResultSet
    from django.db.models.query import ModelIterable, get_related_populators

    made = _stand_ins(values, connections[using])
    if made is None:
        return None
    stand_ins, adapted = made
    qs = build(*stand_ins)
    state = cast(Any, qs)  # the queryset's own fields: what ModelIterable would read besides the rows
    if state._iterable_class is not ModelIterable or state._prefetch_related_lookups or state._known_related_objects:
        return None  # only what ModelIterable reads alone (prefetch after: prefetch_related_objects)
    compiler = qs.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = _slots(params, adapted)
    if slots is None:
        return None
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _InstanceShape(
        sql,
        tuple(params),
        slots,
        compiler,
        tuple(column[0].target.attname for column in select[start:end]),
        (start, end),
        tuple(cast(Any, get_related_populators)(klass_info, select, using)),  # the stubs are newer than Django
        tuple((compiler.annotation_col_map or {}).items()),
    )


def shaped_instances(
    key: tuple, build: Callable[..., QuerySet], values: Sequence[Any], *, using: str = DEFAULT_DB_ALIAS
) -> list:
    """``list(build(*values))`` for a queryset of model instances (its ``select_related`` models
    and annotations read as Django's ``ModelIterable`` reads them), compiled once per ``key`` and
    process. Not for ``prefetch_related`` (the shape is then not kept): prefetch on the list
    (``prefetch_related_objects``)."""
    connection = connections[using]
    if _stand_ins(values, connection) is None:
        return list(build(*values))
    shape = _kept((using, connection.vendor, "instances", key), lambda: _compile_instances(build, values, using))
    if shape is None:
        return list(build(*values))
    fetched = _fetch(shape, values, connection)
    model = shape.compiler.klass_info["model"]
    start, end = shape.fields
    out = []
    for row in shape.compiler.results_iter(results=[fetched]):
        obj = model.from_db(using, shape.init_list, row[start:end])
        for populator in shape.populators:
            populator.populate(row, obj)
        for name, position in shape.annotations:
            setattr(obj, name, row[position])
        out.append(obj)
    return out
