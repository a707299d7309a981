"""Bulk inserts: SQL from SQLAlchemy Core, values handed to the driver's executemany.

Core's `connection.execute(insert(model), dicts)` processes every parameter of every row in Python;
for an import of 100,000 events with their actors that was 40% of the time (tests/bench_import.py).
Here Core compiles the INSERT once for the connection's dialect (so PostgreSQL gets its own), values
come column by column, each distinct value of a column whose type converts it (dates, aware datetimes)
is converted once, and the driver does the rest. Callers audit the rows themselves (db.audit).
"""

from collections.abc import Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import SQLModel


def bulk_insert(
    connection: Connection, model: type[SQLModel], columns: dict[str, Sequence[Any]], constants: dict[str, Any]
) -> None:
    """Insert one row per value of `columns` (all as long), with `constants` the same in every row.

    Every column of the table must be named: the driver cannot fill in Core's Python-side defaults.
    """
    count = len(next(iter(columns.values())))
    if count == 0:
        return
    table, dialect = model.__table__, connection.dialect
    given = {**columns, **constants}
    compiled = insert(table).compile(dialect=dialect, column_keys=list(given))
    order = compiled.positiontup or list(compiled.params)
    if missing := set(order) - set(given):
        raise ValueError(f"bulk rows of {table.name} lack {', '.join(sorted(missing))}")
    prepared = []
    for key in order:
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if key in constants:
            value = constants[key]
            prepared.append(repeat(processor(value) if processor else value, count))
        elif processor is None:
            prepared.append(columns[key])
        else:
            converted = {value: processor(value) for value in set(columns[key])}
            prepared.append(map(converted.__getitem__, columns[key]))
    values = list(zip(*prepared, strict=False))  # repeat() is endless: the columns set the length
    if compiled.positiontup is None:
        values = [dict(zip(order, row, strict=True)) for row in values]
    connection.exec_driver_sql(str(compiled), values)


def bulk_insert_rows(connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """The same for rows given as dicts that all have the same keys."""
    if rows:
        bulk_insert(connection, model, {key: [row[key] for row in rows] for key in rows[0]}, {})
