"""The real app in a benchmark child process: QApplication, services and the main window.

Imported only inside children (`python -m bench.child ...`), never by the parent process.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from bench.scripted import FAST_HASHER, Team, team
from companion.clock import Clock, ManualClock
from companion.services import Services
from companion.storage.database import DB_FILENAME, open_database
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.theme import apply_theme

START = datetime(2026, 11, 18, 8, 30, tzinfo=UTC)


@dataclass
class App:
    app: QApplication
    services: Services
    team: Team
    ctx: AppContext
    window: MainWindow

    def close(self) -> None:
        self.window.close()
        self.services.db.close()


def qapp() -> QApplication:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app, "dim")
    return app


def open_app(data_dir: Path, clock: Clock | None = None, *, fresh: bool = True) -> App:
    """A new clinic database in `data_dir` (the folder's other files, e.g. caches, are kept)."""
    if fresh:
        for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm"):
            (data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(data_dir / "backups", ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    clock = clock or ManualClock(START)
    app = qapp()
    services = Services.create(open_database(data_dir, clock.now()), clock, FAST_HASHER)
    people = team(services)
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, actor=people.physician)
    window = MainWindow(ctx)
    window.refresh()
    window.show_screen("today")
    window.show()
    return App(app, services, people, ctx, window)


def pump(ms: float = 0.0) -> None:
    """Run the event loop for `ms` (at least one pass)."""
    app = QApplication.instance()
    assert app is not None
    end = time.perf_counter() + ms / 1000
    while True:
        app.processEvents()
        if time.perf_counter() >= end:
            return
        time.sleep(0.001)


def pump_until(done: Callable[[], bool], timeout_s: float) -> bool:
    end = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > end:
            return False
        pump(5)
    return True


class StallProbe(QObject):
    """A GUI-thread timer every `interval_ms`; each tick's lateness is how long the loop stalled."""

    def __init__(self, parent: QObject, interval_ms: int = 5) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.lateness_ms: list[float] = []
        self._clock = QElapsedTimer()
        self._last = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        self.lateness_ms.append(max(0.0, (now - self._last) / 1e6 - self.interval_ms))
        self._last = now
