"""``insert(obj)``: ``obj.save()`` for a new row, at a third of the ORM's Python cost.

A public report writes five rows in one transaction; building each INSERT through ``Model.save()``
(save_base, the SQL compiler, a query object per row) cost more CPU than the rest of the request.
This does what ``save(force_insert=True)`` does for a plain model (no parents, no custom save):
``pre_save``/``post_save`` signals when someone listens, ``auto_now``/``auto_now_add`` and other
field ``pre_save`` hooks, the field's own database conversion (JSON, dates), the primary key set
on the instance and the instance marked as saved, on the default database. The statement text is
built once per model and connection vendor.
"""

import threading

from django.db import connections, router
from django.db.models.signals import post_save, pre_save

_statements: dict = {}  # (model, vendor) -> (fields, sql, returning)
_lock = threading.Lock()


def _statement(model, connection, numbered: str | None = None):
    key = (model, connection.vendor, numbered)
    found = _statements.get(key)
    if found is None:
        meta = model._meta
        if meta.parents or meta.auto_field is None:
            raise TypeError(f"netra.rows.insert handles plain models with an auto primary key, not {meta.label}")
        fields = [
            f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated and f.name != numbered
        ]
        quote = connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.auto_field.column)
        columns = [quote(f.column) for f in fields]
        values = ["%s"] * len(fields)
        prefix = ""
        if numbered:
            # The new id, known inside the statement: the next value of the sequence (PostgreSQL)
            # or one past the largest id ever given (SQLite's AUTOINCREMENT rule; the writer holds
            # the database's write lock from BEGIN IMMEDIATE, so nobody takes it meanwhile).
            if connection.vendor == "postgresql":
                prefix = f"WITH new_id AS (SELECT nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.auto_field.column}')) AS id) "
                new_id = "(SELECT id FROM new_id)"
                digits = f"lpad({new_id}::text, greatest(6, length({new_id}::text)), '0')"
            elif connection.vendor == "sqlite":
                last = f"SELECT seq FROM sqlite_sequence WHERE name = '{meta.db_table}'"  # noqa: S608 (model's names)
                new_id = f"(max(coalesce(({last}), 0), coalesce((SELECT max({pk}) FROM {table}), 0)) + 1)"  # noqa: S608
                digits = f"substr('000000' || {new_id}, -max(6, length({new_id})))"
            else:
                raise NotImplementedError(f"numbered inserts on {connection.vendor}")
            columns += [pk, quote(meta.get_field(numbered).column)]
            values += [new_id, f"%s || {digits}"]
        sql = f"{prefix}INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # noqa: S608 (names from the model, values bound)
        returning = connection.vendor == "postgresql"
        if returning:
            sql += f" RETURNING {pk}"
        found = (fields, sql, returning)
        with _lock:
            _statements[key] = found
    return found


def insert(obj, *, numbered: str | None = None, number_prefix=None):
    """INSERT ``obj`` (a new instance of a plain model) and return it with its primary key set.

    ``numbered``: the name of a text field set, in the same statement, to
    ``number_prefix(obj)`` followed by the new id padded to 6 digits (``"NTR-2024-000123"``);
    ``number_prefix`` is called after the fields' ``pre_save`` (``auto_now_add`` is set by then).
    """
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    if pre_save.has_listeners(model):
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    fields, sql, returning = _statement(model, connection, numbered)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    if numbered:
        prefix = number_prefix(obj)
        params.append(prefix)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    if numbered:
        setattr(obj, numbered, f"{prefix}{pk:06d}")
    obj._state.adding = False
    obj._state.db = using
    if post_save.has_listeners(model):
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)
    return obj
