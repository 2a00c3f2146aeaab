"""Process start → first usable window (offscreen), against a bare PySide6 QMainWindow.

Each run is a fresh `python -m bench.child ...` process. The parent notes `time.monotonic()` just
before spawning it; the child prints `time.monotonic()` (the same system-wide clock) from a
`QTimer.singleShot(0)` scheduled after `show()`, i.e. once the window is shown and the event loop
has gone idle for the first time. The app child runs the real `main.main()` path (logging, database
open and checks, migrations, services, theme, Shell, Today and History loaded) with the sign-in
dialog bypassed by setting the actor, as `ui/screenshots.py` does.

Runs alternate bare / app so a busy disk or CPU affects both. One untimed warm-up run of each
fills the OS file cache (and, for the app, seeds the demo clinic and takes today's backup).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, Figure, Spread, child_env

RUNS = 7


def _marker(extra: dict[str, Any] | None = None) -> None:
    import psutil  # type: ignore[import-untyped]

    payload = {"ready": time.monotonic(), "rss_mb": psutil.Process().memory_info().rss / 2**20}
    print(json.dumps(payload | (extra or {})), flush=True)


def bare_child() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()

    def ready() -> None:
        _marker()
        app.quit()

    QTimer.singleShot(0, ready)
    app.exec()


def app_child(args: list[str]) -> None:
    data_dir, demo = args[0], args[1] == "demo"
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import main as entry
    from companion.roles import Actor
    from companion.storage.models import Role
    from ui.shell import Shell

    def signed_in(self: Shell) -> bool:
        staff = self.ctx.services.staff.list_staff()
        p = next(s for s in staff if s.role == Role.PHYSICIAN)
        self.ctx.actor = Actor(p.id, p.role, p.display_name)
        return True

    original = Shell.start

    def start(self: Shell) -> bool:
        shown = original(self)

        def ready() -> None:
            _marker({"screen": self.window.current_screen()})
            QApplication.quit()

        QTimer.singleShot(0, ready)
        return shown

    Shell._sign_in = signed_in  # type: ignore[method-assign]
    Shell.start = start  # type: ignore[method-assign]
    argv = ["--data-dir", data_dir] + (["--demo"] if demo else [])
    raise SystemExit(entry.main(argv))


def _once(args: list[str]) -> tuple[float, float]:
    """(seconds from spawn to the ready marker, resident MB at that moment)."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", *args],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"start-up child {args} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )
    result = json.loads(lines[-1])
    return float(result["ready"]) - started, float(result["rss_mb"])


def _series(kinds: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    for args in kinds.values():
        _once(args)  # warm-up, not counted
    for _ in range(runs):
        for key, args in kinds.items():
            out[key].append(_once(args))
    return out


def measure(ten_year_db: Path, runs: int = RUNS) -> tuple[list[Figure], Spread]:
    """The start-up figures, and the bare window's resident memory (the memory figure's floor)."""
    demo_dir = OUT / "startup-demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    big_dir = OUT / "startup-tenyear"
    shutil.rmtree(big_dir, ignore_errors=True)
    big_dir.mkdir(parents=True)
    shutil.copy(ten_year_db, big_dir / "companion.sqlite3")
    kinds = {
        "bare": ["startup_bare"],
        "demo": ["startup_app", str(demo_dir), "demo"],
        "tenyear": ["startup_app", str(big_dir), "real"],
    }
    series = _series(kinds, runs)
    bare = Spread.of([s for s, _ in series["bare"]]).scaled(1000)
    shutil.rmtree(big_dir, ignore_errors=True)
    figures = [
        Figure(
            "startup", "Start → first usable window (offscreen, demo clinic)", "ms",
            Spread.of([s for s, _ in series["demo"]]).scaled(1000), floor=bare,
            floor_label="bare PySide6 QMainWindow shown", goal_ratio=2.5,
            notes=[f"{runs} fresh processes each, alternating; main.main() with sign-in bypassed"],
        ),
        Figure(
            "startup_tenyear", "Start → first usable window, 10 years of data", "ms",
            Spread.of([s for s, _ in series["tenyear"]]).scaled(1000), floor=bare,
            floor_label="bare PySide6 QMainWindow shown", goal_ratio=2.5,
            notes=["same, on a copy of the ten-year database (integrity check, Today, History)",
                   f"database file {os.path.getsize(ten_year_db) / 2**20:.0f} MB"],
        ),
    ]  # fmt: skip
    return figures, Spread.of([m for _, m in series["bare"]])
