"""Starting the GUI: display check, the first window at once, the record opening behind it.

Order: QApplication and theme, then the first window (sign-in, or creating the administrator on a
new installation), shown before SQLAlchemy has even loaded; the database is opened, checked,
migrated and backed up on a background thread meanwhile. The main window is built once signed in.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from companion.clock import Clock

if TYPE_CHECKING:
    from companion.services import Services
    from companion.storage.errors import StorageError

log = logging.getLogger(__name__)

NO_DISPLAY_MESSAGE = (
    "Session Companion needs a display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "  To run it on a virtual display:   xvfb-run -a python main.py\n"
    "  To render every screen to PNG:    python main.py screenshots --out DIR"
)
# Imported on the opening thread too, so the main window is ready to build at sign-in.
MAIN_WINDOW_MODULES = ("ui.shell",)


def display_available() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Opening:
    """The clinic record opening on a background thread: services, and today's backup."""

    def __init__(self, data_dir: Path, *, demo: bool, clock: Clock) -> None:
        self.data_dir = data_dir
        self.demo = demo
        self.clock = clock
        self.backup_problem: StorageError | None = None

    def start(self, into: Future[Services]) -> None:
        from ui.background import in_background

        in_background(self._open, name="open-record", into=into)

    def _open(self) -> Services:
        from companion.app_setup import open_services
        from companion.storage.errors import StorageError

        services = open_services(self.data_dir, demo=self.demo, clock=self.clock)
        log.info("database opened (demo=%s)", self.demo)
        if not self.demo:  # demo data is synthetic: no daily copies of it
            from companion.backups import daily_backup

            try:
                daily_backup(services.db.path, self.clock.now().astimezone().date())
            except StorageError as exc:  # the database itself is fine: warn and carry on
                log.warning("daily backup failed: %s", type(exc).__name__)
                self.backup_problem = exc
        for name in MAIN_WINDOW_MODULES:
            importlib.import_module(name)
        return services


def run_app(data_dir: Path, *, demo: bool) -> int:
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    from companion.clock import SystemClock
    from companion.demo_accounts import demo_sign_in_hint
    from companion.storage.errors import StorageError
    from companion.storage.files import database_path, has_staff
    from ui.sign_in import FirstAdminDialog, SignInDialog
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Session Companion")
    app.setOrganizationName("SessionCompanion")
    settings = QSettings()
    theme = str(settings.value("theme", "dim"))
    apply_theme(app, theme if theme in ("dim", "light") else "dim")
    clock = SystemClock()
    opening = Opening(data_dir, demo=demo, clock=clock)
    dialog: SignInDialog | FirstAdminDialog
    opened: Future[Services] = Future()
    # The demo record is seeded with its accounts when it opens.
    if demo or has_staff(database_path(data_dir, demo=demo)):
        dialog = SignInDialog(opened, demo_sign_in_hint() if demo else "")
    else:
        dialog = FirstAdminDialog(opened)
    dialog.show()
    # Started after show(): the window is built before the opening competes for the GIL.
    opening.start(into=opened)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.actor is not None
    # Even after a cancel, let the opening (perhaps a migration) finish before the process ends.
    failure = opened.exception()
    if failure is not None:
        if isinstance(failure, StorageError):
            QMessageBox.critical(
                None, "Session Companion cannot start", f"{failure.problem}\n\n{failure.what_to_do}"
            )
            return 3
        raise failure  # e.g. OSError: main() explains it
    services = opened.result()
    if not accepted:
        services.db.close()
        return 0
    if opening.backup_problem is not None:
        problem = opening.backup_problem
        QMessageBox.warning(
            None,
            "Today's backup could not be made",
            f"{problem.problem}\n\n{problem.what_to_do}\n\nYou can keep working; entries are saved.",
        )
    from ui.context import AppContext
    from ui.shell import Shell

    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, demo=demo)
    ctx.actor = dialog.actor
    shell = Shell(ctx, settings)
    shell.show_signed_in()
    code = app.exec()
    services.db.close()
    return int(code)
