"""The store's tables and its numbered migrations.

A store records the number of the last migration applied (table ``schema_info``). Opening a
store applies the missing migrations in order, each in its own transaction, so a store written
by an older narrative survives the upgrade with its rows. Add a migration to change the schema;
never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (Column, Connection, Date, DateTime, Integer, MetaData, String, Table, Text, insert, select,
                        update)

metadata = MetaData()

schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))

cases = Table(
    "cases", metadata,
    Column("case_id", String(200), primary_key=True),
    Column("dob", Date),           # only to turn dates into ages; never reported
)

notes = Table(
    "notes", metadata,
    Column("note_id", String(200), primary_key=True),
    Column("case_id", String(200), nullable=False, index=True),
    Column("note_date", Date, nullable=False),
    Column("area", String(200)),
    Column("team", String(200)),
    Column("note_type", String(200)),
    Column("author_role", String(200)),
    Column("source", String(200)),
)

confirmed_codes = Table(
    "confirmed_codes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("review_key", String(400), nullable=False, index=True),
    Column("note_id", String(200), nullable=False, index=True),
    Column("case_id", String(200), nullable=False, index=True),
    Column("code", String(100), nullable=False),
    Column("experiencer", String(50), nullable=False),
    Column("assertion", String(50), nullable=False),
    Column("date_start", Date),
    Column("date_end", Date),
    Column("date_precision", String(20)),
    Column("evidence", Text, nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("reviewer", String(200), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(100)),
    Column("decision", String(20), nullable=False),
)

review_audit = Table(
    "review_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("review_key", String(400), nullable=False, index=True),
    Column("note_id", String(200), nullable=False),
    Column("case_id", String(200), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(100)),
    Column("accepted", Integer, nullable=False),
    Column("corrected", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
)

model_versions = Table(
    "model_versions", metadata,
    Column("version", String(100), primary_key=True),
    Column("path", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("metrics", Text),       # JSON
)


def _initial(conn: Connection) -> None:
    for table in (cases, notes, confirmed_codes, review_audit, model_versions):
        table.create(conn)


# Migration n (1-based) brings a store from version n - 1 to n.
MIGRATIONS: list[Callable[[Connection], None]] = [_initial]


def current_version(conn: Connection) -> int:
    """The store's schema version: 0 for an empty database."""
    if not conn.dialect.has_table(conn, "schema_info"):
        return 0
    return conn.execute(select(schema_info.c.version)).scalar_one_or_none() or 0


def upgrade(conn: Connection, migrations: list[Callable[[Connection], None]], version: int) -> None:
    """Apply ``migrations[version:]`` and record the new version (inside the caller's transaction)."""
    if version == 0:
        schema_info.create(conn)
        conn.execute(insert(schema_info).values(version=0))
    for step in migrations[version:]:
        step(conn)
    conn.execute(update(schema_info).values(version=len(migrations)))
