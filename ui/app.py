"""Starting the GUI: display check, database, sign-in, main window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NO_DISPLAY_MESSAGE = (
    "Session Companion needs a display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "  To run it on a virtual display:   xvfb-run -a python main.py\n"
    "  To render every screen to PNG:    python main.py screenshots --out DIR"
)


def display_available() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(data_dir: Path, *, demo: bool) -> int:
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from companion.app_setup import open_services
    from companion.clock import SystemClock
    from companion.storage.errors import StorageError
    from ui.context import AppContext
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Session Companion")
    app.setOrganizationName("SessionCompanion")
    settings = QSettings()
    theme = str(settings.value("theme", "dim"))
    apply_theme(app, theme if theme in ("dim", "light") else "dim")
    clock = SystemClock()
    try:
        services = open_services(data_dir, demo=demo, clock=clock)
    except StorageError as exc:
        QMessageBox.critical(
            None, "Session Companion cannot start", f"{exc.problem}\n\n{exc.what_to_do}"
        )
        return 3
    log.info("database opened (demo=%s)", demo)
    if not demo:  # demo data is synthetic: no daily copies of it
        from companion.backups import daily_backup

        try:
            daily_backup(services.db.path, clock.now().astimezone().date())
        except StorageError as exc:  # the database itself is fine: warn and carry on
            log.warning("daily backup failed: %s", type(exc).__name__)
            QMessageBox.warning(
                None,
                "Today's backup could not be made",
                f"{exc.problem}\n\n{exc.what_to_do}\n\nYou can keep working; entries are saved.",
            )
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, demo=demo)
    from ui.shell import Shell

    shell = Shell(ctx, settings)
    if not shell.start():
        services.db.close()
        return 0
    code = app.exec()
    services.db.close()
    return int(code)
