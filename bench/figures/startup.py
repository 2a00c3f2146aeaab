"""Process start → first usable window (offscreen), against a bare PySide6 QMainWindow.

Each run is a fresh `python -m bench.child ...` process. The parent notes `time.monotonic()` just
before spawning it; the child prints `time.monotonic()` (the same system-wide clock) at each
marker, each taken in a `QTimer.singleShot(0)` — once the event loop has gone idle:
- ready: the first window (sign-in) shown; it accepts typing while the record opens behind it;
- opened: the record open (SQLAlchemy, services, checks, migrations, backup) so sign-in can finish;
- confirm → today: signing in as the demo physician the moment the record is open, to Today
  shown and idle (the PIN check, building the main window, loading Today).
The app child runs the real `main.main()` path; only the dialog's `exec` is wrapped to type.

Runs alternate bare / app so a busy disk or CPU affects both. One untimed warm-up run of each
fills the OS file cache (and, for the app, seeds the demo clinic and takes today's backup).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, Figure, Spread, child_env

RUNS = 7
MARKS = ("ready", "opened", "confirm", "today")
OPEN_GOAL_MS = 2000


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
    """The real `main.main()` path. Markers: the first window shown and idle (typing works), the
    record open behind it, then — signing in as the demo physician the moment it is open — the
    sign-in confirmed and Today shown and idle."""
    data_dir, demo, username = args[0], args[1] == "demo", args[2]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import main as entry
    from companion.demo_accounts import DEMO_SECRET
    from ui.sign_in import SignInDialog

    marks: dict[str, float] = {}
    original_exec = SignInDialog.exec

    def exec_(self: SignInDialog) -> int:
        def shown() -> None:
            marks["ready"] = time.monotonic()

        def poll() -> None:
            if not self.opened:
                QTimer.singleShot(2, poll)
                return
            marks["opened"] = time.monotonic()
            self.username.setText(username)
            self.secret.setText(DEMO_SECRET)
            marks["confirm"] = time.monotonic()
            self._confirm()
            if self.actor is None:
                print(f"sign-in refused: {self.message.text()}", file=sys.stderr)
                QApplication.exit(1)

        QTimer.singleShot(0, shown)
        QTimer.singleShot(0, poll)
        code = original_exec(self)
        # Patched only now: importing ui.shell earlier would load the ORM before the first window.
        import ui.shell

        original_show = ui.shell.Shell.show_signed_in

        def show_signed_in(self: ui.shell.Shell) -> None:
            original_show(self)

            def today() -> None:
                screen = self.window.current_screen()
                _marker(marks | {"today": time.monotonic(), "screen": screen})
                QApplication.quit()

            QTimer.singleShot(0, today)

        ui.shell.Shell.show_signed_in = show_signed_in  # type: ignore[method-assign]
        return code

    SignInDialog.exec = exec_  # type: ignore[method-assign, assignment]
    argv = ["--data-dir", data_dir] + (["--demo"] if demo else [])
    raise SystemExit(entry.main(argv))


def _once(args: list[str]) -> dict[str, float]:
    """Seconds from spawn to each marker the child printed, and its resident MB."""
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
    times = {k: float(v) - started for k, v in result.items() if k in MARKS}
    return times | {"rss_mb": float(result["rss_mb"])}


def _series(kinds: dict[str, list[str]], runs: int) -> dict[str, list[dict[str, float]]]:
    out: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    for args in kinds.values():
        _once(args)  # warm-up, not counted
    for _ in range(runs):
        for key, args in kinds.items():
            out[key].append(_once(args))
    return out


def _physician(db: Path | None) -> str:
    """A physician's user name: the demo clinic's, or the first one the generator made."""
    if db is None:
        from companion.demo_accounts import DEMO_ACCOUNTS

        return next(u for role, u, _ in DEMO_ACCOUNTS if role == "physician")
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT username FROM staff WHERE role = 'physician' ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def _ms(runs: list[dict[str, float]], end: str, start: str | None = None) -> Spread:
    return Spread.of([r[end] - (r[start] if start else 0.0) for r in runs]).scaled(1000)


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
        "demo": ["startup_app", str(demo_dir), "demo", _physician(None)],
        "tenyear": ["startup_app", str(big_dir), "real", _physician(ten_year_db)],
    }
    series = _series(kinds, runs)
    bare = _ms(series["bare"], "ready")
    shutil.rmtree(big_dir, ignore_errors=True)
    size = f"database file {os.path.getsize(ten_year_db) / 2**20:.0f} MB"
    figures: list[Figure] = []
    for key, where, extra in (("demo", "demo clinic", []), ("tenyear", "10 years of data", [size])):
        suffix = "" if key == "demo" else "_tenyear"
        runs_ = series[key]
        figures += [
            Figure(
                f"startup{suffix}", f"Start → first usable window (sign-in), {where}", "ms",
                _ms(runs_, "ready"), floor=bare, floor_label="bare PySide6 QMainWindow shown",
                goal_ratio=2.5,
                notes=[f"{runs} fresh processes each, alternating with the bare window; the real "
                       "main.main(); the sign-in window accepts typing while the record opens "
                       "on a background thread", *extra],
            ),
            Figure(
                f"startup_open{suffix}", f"Start → record open behind the sign-in, {where}", "ms",
                _ms(runs_, "opened"), goal_value=OPEN_GOAL_MS,
                notes=["SQLAlchemy and the services loaded, integrity check, migrations, "
                       "today's backup, main window modules imported: signing in needs it; "
                       f"goal: before a person can type a user name and PIN ({OPEN_GOAL_MS} ms)"],
            ),
            Figure(
                f"startup_today{suffix}", f"Sign in confirmed → Today usable, {where}", "ms",
                _ms(runs_, "today", "confirm"), floor=bare,
                floor_label="bare PySide6 QMainWindow shown", goal_ratio=2.5,
                notes=["PIN check (argon2, deliberately slow), the main window built, Today "
                       "loaded; held to the start-up budget"],
            ),
        ]  # fmt: skip
    return figures, Spread.of([r["rss_mb"] for r in series["bare"]])
