"""One method per user action; each takes the acting staff member and runs in one transaction
that is committed before the method returns. The UI writes only through these."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from companion.clock import Clock
from companion.services.patients import PatientService
from companion.services.sessions import SessionService
from companion.services.staff import StaffService
from companion.storage.database import Database


@dataclass
class Services:
    db: Database
    clock: Clock
    staff: StaffService
    patients: PatientService
    sessions: SessionService

    @classmethod
    def create(cls, db: Database, clock: Clock, hasher: PasswordHasher | None = None) -> Services:
        return cls(
            db=db,
            clock=clock,
            staff=StaffService(db, clock, hasher),
            patients=PatientService(db, clock),
            sessions=SessionService(db, clock),
        )
