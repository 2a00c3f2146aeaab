"""Staff accounts, sign-in and lock-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import FieldError, PermissionDenied
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import Role, Staff
from companion.text import clean_text

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=5)
MIN_SECRET_LEN = 4


class SignInRefused(Exception):
    pass


@dataclass(frozen=True)
class StaffRow:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


class StaffService:
    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._clock = clock
        self._hasher = hasher or PasswordHasher()

    def has_staff(self) -> bool:
        with self._db.transaction() as s:
            return bool(s.scalar(select(func.count(Staff.id))))

    def list_staff(self) -> list[StaffRow]:
        with self._db.transaction() as s:
            rows = s.scalars(select(Staff).order_by(Staff.display_name))
            return [StaffRow(r.id, r.username, r.display_name, r.role, r.active) for r in rows]

    def create_first_admin(self, username: str, display_name: str, secret: str) -> Actor:
        """Only possible while no staff exist: the first start of a new installation."""
        with self._db.transaction() as s:
            if s.scalar(select(func.count(Staff.id))):
                raise PermissionDenied("An administrator already exists; sign in instead.")
            staff = self._new(s, username, display_name, Role.ADMIN, secret)
            audit(s, self._clock.now(), None, "create", "staff", staff.id, role=Role.ADMIN.value)
            return Actor(staff.id, staff.role, staff.display_name)

    def add_staff(
        self, actor: Actor, username: str, display_name: str, role: Role, secret: str
    ) -> StaffRow:
        require(actor, Action.MANAGE_STAFF)
        with self._db.transaction() as s:
            staff = self._new(s, username, display_name, role, secret)
            audit(s, self._clock.now(), actor, "create", "staff", staff.id, role=role.value)
            return StaffRow(staff.id, staff.username, staff.display_name, staff.role, True)

    def sign_in(self, username: str, secret: str) -> Actor:
        """Verify a PIN. Failures are counted and audited: the refusal is raised only after that
        has committed, or the rollback would erase the count and the lock-out with it."""
        now = self._clock.now()
        refusal: str | None = None
        with self._db.transaction() as s:
            staff = s.scalar(select(Staff).where(Staff.username == username.strip().casefold()))
            if staff is None or not staff.active:
                audit(s, now, None, "sign_in_failed", "staff", None)
                refusal = "Unknown user name or wrong PIN."
            elif staff.locked_until is not None and staff.locked_until > now:
                minutes = max(1, round((staff.locked_until - now).total_seconds() / 60))
                refusal = (
                    f"This account is locked after {MAX_FAILED_ATTEMPTS} failed attempts. "
                    f"Try again in {minutes} min, or ask a colleague to sign in."
                )
            elif not self._verify(staff.secret_hash, secret):
                staff.failed_attempts += 1
                if staff.failed_attempts >= MAX_FAILED_ATTEMPTS:
                    staff.locked_until = now + LOCKOUT
                    staff.failed_attempts = 0
                audit(s, now, None, "sign_in_failed", "staff", staff.id)
                refusal = "Unknown user name or wrong PIN."
            else:
                staff.failed_attempts = 0
                staff.locked_until = None
                actor = Actor(staff.id, staff.role, staff.display_name)
                audit(s, now, actor, "sign_in", "staff", staff.id)
        if refusal is not None:
            raise SignInRefused(refusal)
        return actor

    def verify(self, actor_id: int, secret: str) -> bool:
        """Check a PIN for an already known account (unlocking the idle lock screen)."""
        with self._db.transaction() as s:
            staff = s.get(Staff, actor_id)
            return staff is not None and staff.active and self._verify(staff.secret_hash, secret)

    def _verify(self, secret_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False

    def _new(self, s: Session, username: str, display_name: str, role: Role, secret: str) -> Staff:
        username = clean_text("username", username, max_len=64, required=True).casefold()
        if not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise FieldError("username", "Use letters, digits, dots, dashes or underscores.")
        display_name = clean_text("display_name", display_name, max_len=120, required=True)
        if len(secret) < MIN_SECRET_LEN:
            raise FieldError(
                "secret", f"The PIN or passphrase needs at least {MIN_SECRET_LEN} characters."
            )
        if s.scalar(select(Staff.id).where(Staff.username == username)) is not None:
            raise FieldError("username", "That user name is taken.")
        staff = Staff(
            username=username,
            display_name=display_name,
            role=role,
            secret_hash=self._hasher.hash(secret),
            active=True,
            failed_attempts=0,
            created_at=self._clock.now(),
        )
        s.add(staff)
        s.flush()
        return staff
