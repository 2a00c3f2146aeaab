"""Writing the audit trail inside the caller's transaction, so an action and its audit row commit
together or not at all. Details hold ids and field names, never free-text patient content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from companion.roles import Actor
from companion.storage.models import AuditEvent


def audit(
    session: Session,
    at: datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    session_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            at=at,
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            session_id=session_id,
            detail=detail,
        )
    )
