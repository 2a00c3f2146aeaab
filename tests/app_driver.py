"""The real app, offscreen, driven through a scripted session; used by tests/e2e/test_kill_app.py.

Run: `python -m tests.app_driver DATA_DIR RUN`. It builds QApplication + MainWindow on the real
services, reports what a restart would offer for resumption (`resumable <id> <phase>`), resumes it
through the ResumeDialog (`resumed <id> <phase shown>`), prints `ready`, then loops over STEPS,
printing `confirmed <kind> <id> [<value>]` only after each service call has returned (committed).
Add a step to STEPS when a feature adds a service action available at that point of a session.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from argon2 import PasswordHasher

from companion.clock import SystemClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.database import open_database
from companion.storage.models import Indication, Phase, Role

PIN = "2468"
PHASES = list(Phase)


@dataclass
class Run:
    services: Services
    physician: Actor
    guide: Actor
    admin: Actor
    run: int
    n: int = 0
    session_id: int | None = None
    phase: Phase | None = None
    viewed: bool = False
    out: Callable[[str], None] = field(default=print)

    def confirmed(self, kind: str, ident: int, value: str = "") -> None:
        print(f"confirmed {kind} {ident} {value}".rstrip(), flush=True)


def add_patient(r: Run) -> None:
    r.n += 1
    row = r.services.patients.add_patient(
        r.guide,
        f"K{r.run}-{r.n}",
        "Zoë" * 30,
        "O'Brien; DROP TABLE x" * 4,
        date(1980, 5, 6),
        Indication.PTSD,
    )
    r.confirmed("patient", row.id)
    session = r.services.sessions.start_session(r.guide, row.id)
    r.session_id, r.phase, r.viewed = session.id, session.phase, False
    r.confirmed("session", session.id, session.phase.value)


def next_phase(r: Run) -> None:
    assert r.session_id is not None and r.phase is not None
    nxt = PHASES[PHASES.index(r.phase) + 1]
    row = r.services.sessions.set_phase(r.guide, r.session_id, nxt)
    r.phase = row.phase
    r.confirmed("phase", row.id, row.phase.value)


def view_record(r: Run) -> None:
    assert r.session_id is not None
    r.services.audit_log.record_view(r.physician, r.session_id)
    r.viewed = True
    r.confirmed("view", r.session_id)


def close_session(r: Run) -> None:
    # Until the discharge and note features land, a session is closed by abandoning it.
    assert r.session_id is not None
    row = r.services.sessions.abandon(r.physician, r.session_id, "scripted end of session")
    r.confirmed("closed", row.id, row.status.value)
    r.session_id = r.phase = None


def add_staff(r: Run) -> None:
    r.n += 1
    row = r.services.staff.add_staff(
        r.admin, f"temp{r.run}.{r.n}", "Temp Guide", Role.GUIDE, PIN, PIN
    )
    r.confirmed("staff", row.id)
    r.services.staff.set_active(r.admin, row.id, False)
    r.confirmed("deactivated", row.id)


def step(r: Run) -> Callable[[Run], None]:
    """The next action the services offer at this moment of the session."""
    if r.session_id is None:
        return add_patient
    assert r.phase is not None
    if r.phase == Phase.DOSE:
        return next_phase if r.viewed else view_record
    if PHASES.index(r.phase) + 1 < len(PHASES):
        return next_phase
    return close_session


STEPS: tuple[Callable[[Run], None], ...] = (
    add_patient,
    next_phase,
    view_record,
    close_session,
    add_staff,
)


def main(data_dir: Path, run: int) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.shell import Shell

    clock = SystemClock()
    db = open_database(data_dir, clock.now())
    services = Services.create(db, clock, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    if not services.staff.has_staff():
        admin = services.staff.create_first_admin("admin", "Admin", PIN)
        services.staff.add_staff(admin, "doc", "Doc", Role.PHYSICIAN, PIN)
        services.staff.add_staff(admin, "guide", "Guide", Role.GUIDE, PIN)
    admin = services.staff.sign_in("admin", PIN)
    physician = services.staff.sign_in("doc", PIN)
    guide = services.staff.sign_in("guide", PIN)

    app = QApplication.instance() or QApplication([])
    # A scripted user dismisses refusal boxes instead of leaving a modal loop open forever
    # (phases are moved without their entries, which some pages rightly refuse to show).
    import ui.actions

    def dismiss(parent: QWidget | None, title: str, text: str) -> None:
        print(f"refused {title}", flush=True)

    ui.actions._show = dismiss
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, actor=guide)
    shell = Shell(ctx)
    window: MainWindow = shell.window
    window.refresh()
    window.show()
    for row in services.sessions.unfinished():
        print(f"resumable {row.id} {row.phase.value}", flush=True)
    dialog = shell.offer_resume()
    r = Run(services, physician, guide, admin, run)
    if dialog is not None:
        dialog.view.selectRow(0)
        dialog.resume_button.click()
        app.processEvents()
        shown = window.session.session
        assert shown is not None and window.current_screen() == "session"
        print(f"resumed {shown.id} {shown.phase.value}", flush=True)
        r.session_id, r.phase = shown.id, shown.phase
    print("ready", flush=True)
    while True:
        action = step(r)
        action(r)
        if action is close_session and r.n % 3 == 0:
            add_staff(r)
        if action is add_patient and r.session_id is not None:
            window.open_session(r.session_id)  # the window follows, as it would on screen
        app.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
