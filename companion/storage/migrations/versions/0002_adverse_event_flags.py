"""adverse-event flag on reflection_note, partial indexes for History's adverse-event filter

History's "adverse events only" filter used to parse every note's JSON and probe every session's
observations (~265 ms on ten years of data). The note now stores whether its content lists an
adverse event (kept by the model whenever the content is assigned), and two partial indexes hold
only the adverse rows, so the filter reads a few hundred index entries.

The backfill has to UPDATE signed notes, which revision 0001's guard trigger refuses; the trigger
is dropped and recreated around it inside one transaction, so a migration that stops half-way
never leaves signed notes unlocked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same rule as companion.storage.models.adverse_events_recorded: a non-empty JSON list.
# SQLite: json_array_length is 0 for a non-array and NULL for a missing key.
_SQLITE_HAS_EVENTS = "coalesce(json_array_length(content, '$.adverse_events'), 0) > 0"
# PostgreSQL (`json` column): json_array_length raises on a non-array, hence the type test.
_PG_HAS_EVENTS = (
    "CASE WHEN json_typeof(content -> 'adverse_events') = 'array' "
    "THEN json_array_length(content -> 'adverse_events') > 0 ELSE false END"
)
# Revision 0001's guard on signed notes (same name, condition and message).
_GUARD = "note_signed_no_update"
_GUARD_MESSAGE = "a signed note is locked"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _begin_on_sqlite()
    op.add_column(
        "reflection_note",
        sa.Column("has_adverse_events", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _drop_guard(dialect)
    has_events = _SQLITE_HAS_EVENTS if dialect == "sqlite" else _PG_HAS_EVENTS
    op.execute(f"UPDATE reflection_note SET has_adverse_events = {has_events} WHERE {has_events}")
    _create_guard(dialect)
    op.create_index(
        "ix_reflection_note_adverse",
        "reflection_note",
        ["session_id"],
        sqlite_where=sa.text("has_adverse_events = 1"),
        postgresql_where=sa.text("has_adverse_events"),
    )
    op.create_index(
        "ix_observation_adverse",
        "observation",
        ["session_id"],
        sqlite_where=sa.text("adverse_event = 1"),
        postgresql_where=sa.text("adverse_event"),
    )


def downgrade() -> None:
    _begin_on_sqlite()
    op.drop_index("ix_observation_adverse", table_name="observation")
    op.drop_index("ix_reflection_note_adverse", table_name="reflection_note")
    # A plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch rebuild of reflection_note
    # would drop its guard triggers and trip note_addendum's foreign key.
    op.drop_column("reflection_note", "has_adverse_events")


def _begin_on_sqlite() -> None:
    # pysqlite runs DDL outside any transaction unless one is open, so each statement would
    # commit on its own; open one so that the whole revision commits or rolls back as one.
    # (PostgreSQL migrations already run in one transaction.)
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    driver = bind.connection.driver_connection
    assert driver is not None  # an open connection always has its sqlite3 connection
    if not driver.in_transaction:
        op.execute("BEGIN")


def _drop_guard(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER {_GUARD}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER {_GUARD} ON reflection_note")  # its function stays
    else:
        raise NotImplementedError(f"no guard triggers for {dialect}")


def _create_guard(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute(
            f"CREATE TRIGGER {_GUARD} BEFORE UPDATE ON reflection_note FOR EACH ROW "
            f"WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, '{_GUARD_MESSAGE}'); END"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {_GUARD} BEFORE UPDATE ON reflection_note FOR EACH ROW "
            f"WHEN (OLD.status = 'signed') EXECUTE FUNCTION {_GUARD}_fn()"
        )
