"""Writing the audit trail inside the caller's transaction, so an action and its audit row commit
together or not at all. Details hold ids and field names, never free-text patient content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert

from companion.roles import Actor
from companion.storage.database import Executor
from companion.storage.models import AuditEvent

_TABLE: Table = AuditEvent.__table__  # type: ignore[assignment]
# A Core INSERT, executed at once in the caller's transaction: the row is append-only and never
# read back as an ORM object, so the unit of work (several times the cost of the statement) buys
# nothing (issue 7). The column types still apply (UTC datetimes, JSON detail).
_INSERT = insert(_TABLE)


def audit(
    session: Executor,
    at: datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    session_id: int | None = None,
    **detail: Any,
) -> None:
    session.execute(
        _INSERT,
        {
            "at": at,
            "actor_id": actor.id if actor else None,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "session_id": session_id,
            "detail": detail,
        },
    )
