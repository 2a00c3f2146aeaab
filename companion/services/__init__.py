"""One method per user action; each takes the acting staff member and runs in one transaction
that is committed before the method returns. The UI writes only through these."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from companion.clock import Clock
from companion.errors import NotAllowedNow
from companion.protocol import Protocol, ProtocolError
from companion.services.alerts import AlertService
from companion.services.audit_log import AuditService
from companion.services.centering import CenteringService
from companion.services.checkin import CheckInService
from companion.services.discharge import DischargeService
from companion.services.dosing import DosingService
from companion.services.monitoring import MonitoringService
from companion.services.notes import NoteService
from companion.services.patients import PatientService
from companion.services.records import RecordService
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
    audit_log: AuditService
    records: RecordService
    checkin: CheckInService
    centering: CenteringService
    dosing: DosingService
    monitoring: MonitoringService
    alerts: AlertService
    discharge: DischargeService
    notes: NoteService
    # A broken protocol file does not stop review work, but no session may start on it.
    protocol: Protocol | None
    protocol_error: ProtocolError | None

    def require_protocol(self) -> Protocol:
        return require_protocol(self.protocol or self.protocol_error)

    @classmethod
    def create(
        cls,
        db: Database,
        clock: Clock,
        hasher: PasswordHasher | None = None,
        protocol: Protocol | ProtocolError | None = None,
    ) -> Services:
        loaded = load_default_protocol() if protocol is None else protocol
        return cls(
            db=db,
            clock=clock,
            protocol=loaded if isinstance(loaded, Protocol) else None,
            protocol_error=loaded if isinstance(loaded, ProtocolError) else None,
            staff=StaffService(db, clock, hasher),
            patients=PatientService(db, clock),
            audit_log=AuditService(db, clock),
            records=RecordService(db, clock),
            sessions=SessionService(db, clock, lambda: require_protocol(loaded)),
            checkin=CheckInService(db, clock, lambda: require_protocol(loaded)),
            centering=CenteringService(db, clock),
            dosing=DosingService(db, clock, lambda: require_protocol(loaded)),
            monitoring=MonitoringService(db, clock, lambda: require_protocol(loaded)),
            alerts=AlertService(db, clock),
            discharge=DischargeService(db, clock, lambda: require_protocol(loaded)),
            notes=NoteService(db, clock),
        )


def load_default_protocol() -> Protocol | ProtocolError:
    """The shipped protocol file, or the error that names its broken key."""
    from companion.protocol import default_protocol_path, load_protocol

    try:
        return load_protocol(default_protocol_path())
    except ProtocolError as exc:
        return exc


def require_protocol(loaded: Protocol | ProtocolError | None) -> Protocol:
    if isinstance(loaded, Protocol):
        return loaded
    raise NotAllowedNow(
        f"The clinic protocol file is broken, so no session can run: {loaded}. "
        "Ask the physician to correct data/protocol.toml."
    )
