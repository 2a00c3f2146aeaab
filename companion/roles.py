"""Who may do what. Enforced in the service layer, not only by hiding buttons."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from companion.errors import PermissionDenied
from companion.storage.models import Role


class Action(enum.StrEnum):
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    ADD_PATIENT = "add_patient"
    START_SESSION = "start_session"
    CHECK_IN = "check_in"
    RECORD_CENTERING = "record_centering"
    ACKNOWLEDGE_BP_GATE = "acknowledge_bp_gate"
    DOSE = "dose"
    RECORD_MONITORING = "record_monitoring"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    ASSESS_DISCHARGE = "assess_discharge"
    OVERRIDE_DISCHARGE = "override_discharge"
    WRITE_NOTE = "write_note"
    SIGN_NOTE = "sign_note"
    ADD_ADDENDUM = "add_addendum"
    ABANDON_SESSION = "abandon_session"
    VIEW_RECORDS = "view_records"
    EXPORT = "export"


_CLINICIANS = frozenset({Role.PHYSICIAN, Role.GUIDE})
_ALL = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.ADMIN}),
    Action.ADD_PATIENT: _CLINICIANS,
    Action.START_SESSION: _CLINICIANS,
    Action.CHECK_IN: _CLINICIANS,
    Action.RECORD_CENTERING: _CLINICIANS,
    Action.ACKNOWLEDGE_BP_GATE: frozenset({Role.PHYSICIAN}),
    Action.DOSE: frozenset({Role.PHYSICIAN}),
    Action.RECORD_MONITORING: _CLINICIANS,
    Action.ACKNOWLEDGE_ALERT: _CLINICIANS,
    Action.ASSESS_DISCHARGE: _CLINICIANS,
    Action.OVERRIDE_DISCHARGE: frozenset({Role.PHYSICIAN}),
    Action.WRITE_NOTE: _CLINICIANS,
    Action.SIGN_NOTE: frozenset({Role.PHYSICIAN}),
    Action.ADD_ADDENDUM: _CLINICIANS,
    Action.ABANDON_SESSION: frozenset({Role.PHYSICIAN}),
    Action.VIEW_RECORDS: _ALL,
    Action.EXPORT: frozenset({Role.PHYSICIAN, Role.GUIDE, Role.STAFF}),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member on whose behalf a service method acts."""

    id: int
    role: Role
    display_name: str

    def may(self, action: Action) -> bool:
        return self.role in PERMISSIONS[action]


def require(actor: Actor, action: Action) -> None:
    if not actor.may(action):
        raise PermissionDenied(
            f"{actor.display_name} ({actor.role.value}) may not {action.value.replace('_', ' ')}."
        )
