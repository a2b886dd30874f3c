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


def _statement(model, connection):
    key = (model, connection.vendor)
    found = _statements.get(key)
    if found is None:
        meta = model._meta
        if meta.parents or meta.auto_field is None:
            raise TypeError(f"netra.rows.insert handles plain models with an auto primary key, not {meta.label}")
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, values bound)
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        returning = connection.features.can_return_columns_from_insert and connection.vendor == "postgresql"
        if returning:
            sql += f" RETURNING {quote(meta.auto_field.column)}"
        found = (fields, sql, returning)
        with _lock:
            _statements[key] = found
    return found


def insert(obj):
    """INSERT ``obj`` (a new instance of a plain model) and return it with its primary key set."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    if pre_save.has_listeners(model):
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    fields, sql, returning = _statement(model, connection)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    if post_save.has_listeners(model):
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)
    return obj
