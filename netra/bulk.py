"""One UPDATE for many rows by id: ``UPDATE t SET … FROM (VALUES …) WHERE t.id = v.id``.

The ORM's ``bulk_update`` builds a ``CASE WHEN`` expression per row and field (more Python than
the rest of a batch), and ``executemany`` makes the database parse and run one statement per
row. Batches that write a value per row (audit seals, the numbers and cases of newly opened
reports) use this instead: one statement per ``ROWS_PER_STATEMENT`` rows, on PostgreSQL and on
SQLite ≥ 3.33. Names come from the model; every value is a bound parameter.
"""

from django.db import connection

ROWS_PER_STATEMENT = 500  # with 3 values a row: far below SQLite's and PostgreSQL's parameter limits


def update_by_id(model, columns: list[str], rows: list[tuple], *, only_where_null: str = "") -> int:
    """Set ``columns`` to ``rows``' values (``(id, value, …)`` each); return the rows changed.

    ``only_where_null``: a column that must still be NULL (a guard against writing twice).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ["id", *columns]
    aliases = ", ".join(f"column{n} AS {quote(name)}" for n, name in enumerate(names, start=1))
    assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in columns)
    guard = f" AND {table}.{quote(only_where_null)} IS NULL" if only_where_null else ""
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {assignments}"  # noqa: S608 (names from the model, values bound)
                f" FROM (SELECT {aliases} FROM (VALUES {values}) AS vals) AS v"
                f" WHERE {table}.id = v.id{guard}",
                [value for row in chunk for value in row],
            )
            changed += cursor.rowcount
    return changed
