"""`python main.py screenshots --out DIR`: every main screen, with demo data, rendered offscreen.

Later features register their screens in SCREENSHOTS. Each entry sets the window up and returns
the widget to grab; the data, the clock and the window size are fixed so images are reproducible.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from companion.clock import ManualClock

SHOT_TIME = datetime(2026, 11, 18, 9, 25, tzinfo=UTC)
SHOT_SIZE = (1280, 800)


def _today(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("today")
    return window


def _session(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("today")
    rows = window.today.sessions_model
    first = rows.row_at(0)
    assert first is not None
    window.open_session(first.id)
    return window


def _history(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("history")
    return window


SCREENSHOTS: list[tuple[str, Callable[[object], object]]] = [
    ("today", _today),
    ("session", _session),
    ("history", _history),
]


def write_screenshots(out: Path, theme: str = "dim") -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from companion.app_setup import open_services
    from companion.roles import Actor
    from companion.storage.models import Role
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="companion-shots-") as tmp:
        clock = ManualClock(SHOT_TIME)
        services = open_services(Path(tmp), demo=True, clock=clock)
        try:
            physician = next(s for s in services.staff.list_staff() if s.role == Role.PHYSICIAN)
            ctx = AppContext(services=services, clock=clock, data_dir=Path(tmp), demo=True)
            ctx.actor = Actor(physician.id, physician.role, physician.display_name)
            window = MainWindow(ctx)
            window.resize(*SHOT_SIZE)
            window.refresh()
            window.show()
            for name, prepare in SCREENSHOTS:
                target = prepare(window)
                assert isinstance(target, QWidget)
                app.processEvents()
                path = out / f"{name}.png"
                if not target.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                written.append(path)
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            services.db.close()
    return written
