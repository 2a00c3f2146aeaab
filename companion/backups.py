"""Daily backups, `backup --out FILE` and `restore --from FILE`.

Copies are taken with SQLite's online backup API (consistent even while the app writes). A restore
never destroys anything: the file it replaces is kept beside it as `<name>.replaced-<time>`, and it
refuses a file that is damaged, is not a Session Companion database, or has a newer schema.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

from companion.storage import migrations
from companion.storage.database import BUSY_TIMEOUT_MS, backup_to, check_file
from companion.storage.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DataDirUnusable,
    DiskFull,
    StorageError,
    classify,
)

log = logging.getLogger(__name__)

BACKUP_DIRNAME = "backups"
KEEP_DAILY = 14
_DAILY_RE = re.compile(r"^daily-\d{4}-\d{2}-\d{2}\.sqlite3$")
_MAGIC = b"SQLite format 3\x00"


class RestoreRefused(StorageError):
    """The restore was not done; nothing was changed."""


def daily_name(day: date) -> str:
    return f"daily-{day.isoformat()}.sqlite3"


def daily_backup(db_path: Path, today: date, keep: int = KEEP_DAILY) -> Path | None:
    """Back up `db_path` into `backups/daily-<today>.sqlite3` unless today's exists; keep `keep`.

    Returns the new file, or None when today's backup was already there.
    """
    folder = db_path.parent / BACKUP_DIRNAME
    target = folder / daily_name(today)
    if target.exists():
        return None
    _copy(db_path, target)
    prune_daily(folder, keep)
    log.info("daily backup written: %s", target.name)
    return target


def prune_daily(folder: Path, keep: int = KEEP_DAILY) -> list[Path]:
    """Delete all but the newest `keep` daily backups (and leftovers of interrupted copies).
    Backups taken before migrations are never pruned."""
    removed: list[Path] = []
    daily = sorted(p for p in folder.iterdir() if _DAILY_RE.match(p.name))
    stale = [p for p in folder.glob("daily-*.sqlite3.part")]
    for path in daily[: max(0, len(daily) - keep)] + stale:
        try:
            path.unlink()
            removed.append(path)
        except OSError as exc:  # a backup we cannot delete is not worth stopping for
            log.warning("could not prune %s: %s", path.name, exc.strerror)
    return removed


def write_backup(db_path: Path, out: Path) -> Path:
    """`backup --out FILE`: copy the live database to a new file (never over an existing one)."""
    out = out.expanduser().resolve()
    if out.is_dir():
        raise RestoreRefused(
            f"{out} is a folder.", "Give a file name, e.g. --out backup-2026-03-02.sqlite3."
        )
    if out == db_path.resolve():
        raise RestoreRefused("That is the database itself.", "Choose another file name.")
    if out.exists():
        raise RestoreRefused(
            f"{out} already exists and was left as it is.", "Choose a new file name."
        )
    _copy(db_path, out)
    return out


def check_backup(source: Path) -> str:
    """Check a file is an intact Session Companion database this app can read; its revision."""
    if not source.is_file():
        raise RestoreRefused(f"{source} does not exist or is not a file.", "Check the path.")
    try:
        with source.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise RestoreRefused(
            f"{source} cannot be read ({exc.strerror}).", "Check the path."
        ) from exc
    if header != _MAGIC:
        raise RestoreRefused(
            f"{source.name} is not a SQLite database.", "Choose a backup made by Session Companion."
        )
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
            if integrity != [("ok",)]:
                raise RestoreRefused(
                    f"{source.name} failed its integrity check ({integrity[0][0]}).",
                    "Choose another backup; this one is damaged.",
                )
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if has_version
                else None
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RestoreRefused(
            f"{source.name} cannot be read as a database ({exc}).",
            "Choose another backup; this one is damaged.",
        ) from exc
    if row is None:
        raise RestoreRefused(
            f"{source.name} is not a Session Companion database.",
            "Choose a backup made by Session Companion.",
        )
    revision = str(row[0])
    migrations.refuse_newer(revision)  # SchemaTooNew: update the app first
    return revision


def restore(db_path: Path, source: Path, now: datetime, *, force: bool = False) -> Path | None:
    """Replace `db_path` with the backup `source`; returns where the replaced file was kept.

    Refused (nothing changed) when the backup is unusable, when the database is open in a running
    app, or, unless `force`, when the current database has a session in progress (restoring
    would take its entries out of view).
    """
    source = source.expanduser().resolve()
    if source == db_path.resolve():
        raise RestoreRefused("That is the database itself.", "Give the path of a backup file.")
    check_backup(source)
    if db_path.exists():
        _refuse_if_in_use(db_path, force)
    part = db_path.with_name(db_path.name + ".restoring")
    part.unlink(missing_ok=True)
    try:
        backup_to(source, part)
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise _fault(exc, "The backup could not be copied into the data folder") from exc
    kept = _set_aside(db_path, now) if db_path.exists() else None
    try:
        os.replace(part, db_path)
    except OSError as exc:
        raise _fault(exc, "The restored file could not be put in place") from exc
    check_file(db_path)
    log.info("database restored; previous file kept as %s", kept.name if kept else "-")
    return kept


def _refuse_if_in_use(db_path: Path, force: bool) -> None:
    try:
        conn = sqlite3.connect(db_path, timeout=0.2)
        try:
            # Fails at once if another program is writing; TRUNCATE empties the WAL so nothing
            # committed is left behind in a side file when the main file is set aside.
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            try:
                in_progress = conn.execute(
                    "SELECT count(*) FROM treatment_session WHERE status = 'in_progress'"
                ).fetchone()[0]
            except sqlite3.OperationalError:  # not one of ours: nothing in progress to protect
                in_progress = 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if isinstance(classify(exc), DatabaseLocked):
            raise _in_use() from exc
        return  # damaged: restoring is exactly what it needs; it is kept as .replaced
    side_files = [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm")]
    if (busy is not None and busy[0]) or any(p.exists() for p in side_files):
        # SQLite removes these when the last connection closes, so another program (a running
        # app) still has the file open and would keep writing into the file we set aside.
        raise _in_use()
    if in_progress and not force:
        raise RestoreRefused(
            f"The current database has {in_progress} session(s) in progress; restoring would "
            "take their entries out of view.",
            "Finish or abandon them first, or add --force (the current file is kept).",
        )


def _in_use() -> RestoreRefused:
    return RestoreRefused(
        "The database is open in a running Session Companion.",
        "Close the app on this computer first, then restore again.",
    )


def _set_aside(db_path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    kept = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
    n = 2
    while kept.exists():
        kept = db_path.with_name(f"{db_path.name}.replaced-{stamp}-{n}")
        n += 1
    os.replace(db_path, kept)
    # Side files move with their main file, so SQLite pairs them again if it is ever opened.
    for suffix in ("-wal", "-shm", "-journal"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    return kept


def _copy(db_path: Path, target: Path) -> None:
    try:
        backup_to(db_path, target)
        # A backup is one self-contained file: rollback journal, so opening it to check or
        # restore it never leaves -wal/-shm side files next to it.
        conn = sqlite3.connect(target)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        target.with_name(target.name + ".part").unlink(missing_ok=True)
        raise _fault(exc, "The backup could not be written") from exc


def _fault(exc: OSError | sqlite3.Error, what: str) -> StorageError:
    if isinstance(exc, sqlite3.Error):
        fault = classify(exc)
        if fault is not None:
            return fault
        return DatabaseCorrupt(f"{what} ({exc}).", "Check the database and try again.")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull(f"{what}: the disk is full.", "Free some disk space and try again.")
    return DataDirUnusable(
        f"{what} ({exc.strerror or exc}).",
        "Check that the folder exists and this account may write to it.",
    )
