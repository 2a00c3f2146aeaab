"""Staff accounts, sign-in and lock-out."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import Role, Staff
from companion.text import clean_text

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=5)
MIN_SECRET_LEN = 4
# Long enough for any passphrase; the cap keeps a pasted novel from costing seconds of hashing.
MAX_SECRET_LEN = 256
ROLE_LABELS = {
    Role.PHYSICIAN: "Physician",
    Role.GUIDE: "Guide",
    Role.STAFF: "Staff (review only)",
    Role.ADMIN: "Administrator",
}


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
            rows = s.scalars(select(Staff).order_by(Staff.display_name, Staff.id))
            return [_staff_row(r) for r in rows]

    def create_first_admin(self, username: str, display_name: str, secret: str) -> Actor:
        """Only possible while no staff exist: the first start of a new installation."""
        with self._db.transaction() as s:
            if s.scalar(select(func.count(Staff.id))):
                raise PermissionDenied("An administrator already exists; sign in instead.")
            staff = self._new(s, username, display_name, Role.ADMIN, secret)
            audit(s, self._clock.now(), None, "create", "staff", staff.id, role=Role.ADMIN.value)
            return Actor(staff.id, staff.role, staff.display_name)

    def add_staff(
        self,
        actor: Actor,
        username: str,
        display_name: str,
        role: Role,
        secret: str,
        repeat: str | None = None,
    ) -> StaffRow:
        """Add an account; `repeat` (the PIN typed twice) is checked when the UI passes it."""
        require(actor, Action.MANAGE_STAFF)
        if role not in ROLE_LABELS:
            raise FieldError("role", "Choose physician, guide, staff or administrator.")
        role = Role(role)
        check_secret(secret, repeat)
        with self._db.transaction() as s:
            staff = self._new(s, username, display_name, role, secret)
            audit(s, self._clock.now(), actor, "create", "staff", staff.id, role=role.value)
            return _staff_row(staff)

    def set_active(self, actor: Actor, staff_id: int, active: bool) -> StaffRow:
        """Deactivate (the account can no longer sign in; its history stays) or reactivate."""
        require(actor, Action.MANAGE_STAFF)
        with self._db.transaction() as s:
            staff = self._get(s, staff_id)
            if staff.active == active:
                return _staff_row(staff)
            if not active and staff.role == Role.ADMIN and self._active_admins(s) <= 1:
                # Otherwise no one could ever add or reactivate staff again.
                raise NotAllowedNow("This is the last active administrator; add another first.")
            if not active and staff.id == actor.id:
                raise NotAllowedNow("You cannot deactivate your own account.")
            staff.active = active
            if active:
                staff.failed_attempts = 0
                staff.locked_until = None
            audit(
                s,
                self._clock.now(),
                actor,
                "reactivate" if active else "deactivate",
                "staff",
                staff.id,
            )
            return _staff_row(staff)

    def reset_secret(
        self, actor: Actor, staff_id: int, secret: str, repeat: str | None = None
    ) -> StaffRow:
        """Set a new PIN or passphrase; this also lifts a lock-out."""
        require(actor, Action.MANAGE_STAFF)
        check_secret(secret, repeat)
        with self._db.transaction() as s:
            staff = self._get(s, staff_id)
            staff.secret_hash = self._hasher.hash(secret)
            staff.failed_attempts = 0
            staff.locked_until = None
            audit(s, self._clock.now(), actor, "reset_secret", "staff", staff.id)
            return _staff_row(staff)

    def record_lock(self, actor: Actor | None, reason: str) -> None:
        """Audit that the screen was locked ("idle" or "manual"), so access gaps are traceable."""
        if reason not in ("idle", "manual"):
            raise ValueError(f"unknown lock reason {reason!r}")
        with self._db.transaction() as s:
            audit(s, self._clock.now(), actor, "lock", "screen", None, reason=reason)

    def _get(self, s: Session, staff_id: int) -> Staff:
        staff = s.get(Staff, staff_id)
        if staff is None:
            raise NotAllowedNow(f"Staff account #{staff_id} does not exist.")
        return staff

    def _active_admins(self, s: Session) -> int:
        return int(
            s.scalar(select(func.count(Staff.id)).where(Staff.role == Role.ADMIN, Staff.active))
            or 0
        )

    def sign_in(self, username: str, secret: str) -> Actor:
        """Verify a PIN. Failures are counted and audited: the refusal is raised only after that
        has committed, or the rollback would erase the count and the lock-out with it."""
        now = self._clock.now()
        refusal: str | None = None
        if len(secret) > MAX_SECRET_LEN or len(username) > 200:
            # Refused like any wrong PIN, without hashing megabytes or querying for junk.
            raise SignInRefused("Unknown user name or wrong PIN.")
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
        check_secret(secret, None)
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


def check_secret(secret: str, repeat: str | None) -> None:
    """A PIN or passphrase: 4-256 printable characters, typed the same twice when repeated."""
    if len(secret) < MIN_SECRET_LEN:
        raise FieldError(
            "secret", f"The PIN or passphrase needs at least {MIN_SECRET_LEN} characters."
        )
    if len(secret) > MAX_SECRET_LEN:
        raise FieldError("secret", f"Too long: at most {MAX_SECRET_LEN} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in secret):
        # Such characters cannot be typed reliably at the sign-in screen later.
        raise FieldError("secret", "Contains a control or unprintable character; please retype it.")
    if repeat is not None and repeat != secret:
        raise FieldError("repeat", "The two entries differ; type the same PIN twice.")


def _staff_row(staff: Staff) -> StaffRow:
    return StaffRow(staff.id, staff.username, staff.display_name, staff.role, staff.active)
