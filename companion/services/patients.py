"""Adding and finding patients."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import FieldError
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import Indication, Patient, SessionStatus, TreatmentSession
from companion.text import clean_text, fold

_CHART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
OLDEST_BIRTH_YEAR = 1900
MIN_AGE_YEARS = 16


@dataclass(frozen=True)
class PatientRow:
    id: int
    chart_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    indication: Indication
    sessions_done: int

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def search_key(given: str, family: str, chart: str) -> str:
    return fold(f"{family} {given} {chart}")


class PatientService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add_patient(
        self,
        actor: Actor,
        chart_number: str,
        given_name: str,
        family_name: str,
        date_of_birth: date,
        indication: Indication,
    ) -> PatientRow:
        require(actor, Action.ADD_PATIENT)
        chart = clean_text("chart_number", chart_number, max_len=32, required=True).upper()
        if not _CHART_RE.match(chart):
            raise FieldError("chart_number", "Use letters, digits and dashes (up to 32).")
        given = clean_text("given_name", given_name, max_len=100, required=True)
        family = clean_text("family_name", family_name, max_len=100, required=True)
        today = self._clock.now().date()
        if not (date(OLDEST_BIRTH_YEAR, 1, 1) <= date_of_birth <= today):
            raise FieldError("date_of_birth", f"Must be between {OLDEST_BIRTH_YEAR} and today.")
        if _age(date_of_birth, today) < MIN_AGE_YEARS:
            raise FieldError(
                "date_of_birth", f"Patients must be at least {MIN_AGE_YEARS} years old."
            )
        indication = Indication(indication)
        with self._db.transaction() as s:
            if s.scalar(select(Patient.id).where(Patient.chart_number == chart)) is not None:
                raise FieldError("chart_number", f"Chart number {chart} is already in use.")
            patient = Patient(
                chart_number=chart,
                given_name=given,
                family_name=family,
                search_key=search_key(given, family, chart),
                date_of_birth=date_of_birth,
                indication=indication,
                created_at=self._clock.now(),
                created_by_id=actor.id,
            )
            s.add(patient)
            s.flush()
            audit(s, self._clock.now(), actor, "create", "patient", patient.id)
            return _row(patient, 0)

    def find(self, text: str = "", limit: int = 200) -> list[PatientRow]:
        """Patients whose name or chart number contains `text` (case- and accent-insensitive)."""
        with self._db.transaction() as s:
            return find_patients(s, text, limit)

    def get(self, patient_id: int) -> PatientRow:
        with self._db.transaction() as s:
            patient = s.get_one(Patient, patient_id)
            return _row(patient, _count_completed(s, patient_id))


def search_key_contains(text: str) -> ColumnElement[bool] | None:
    """The indexed search condition for `text`, or None when there is nothing to filter by.

    A needle with control characters matches nothing (names may not hold them): SQLite would
    otherwise cut the LIKE pattern at a NUL and match every patient.
    """
    needle = fold(text.strip())
    if not needle:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in needle):
        return false()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Patient.search_key.like(f"%{escaped}%", escape="\\")


def find_patients(s: Session, text: str, limit: int) -> list[PatientRow]:
    done = (
        select(func.count(TreatmentSession.id))
        .where(
            TreatmentSession.patient_id == Patient.id,
            TreatmentSession.status == SessionStatus.COMPLETED,
        )
        .scalar_subquery()
    )
    query = select(Patient, done).order_by(Patient.family_name, Patient.given_name, Patient.id)
    condition = search_key_contains(text)
    if condition is not None:
        query = query.where(condition)
    return [_row(p, n) for p, n in s.execute(query.limit(max(1, limit)))]


def _count_completed(s: Session, patient_id: int) -> int:
    return int(
        s.scalar(
            select(func.count(TreatmentSession.id)).where(
                TreatmentSession.patient_id == patient_id,
                TreatmentSession.status == SessionStatus.COMPLETED,
            )
        )
        or 0
    )


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _row(p: Patient, sessions_done: int) -> PatientRow:
    return PatientRow(
        p.id,
        p.chart_number,
        p.given_name,
        p.family_name,
        p.date_of_birth,
        p.indication,
        int(sessions_done),
    )
