"""Opening the clinical database safely.

Order matters: check the file is a database and intact, refuse a schema newer than this app, take a
backup, then migrate. Nothing here modifies a file it has judged unusable.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from companion.storage import migrations
from companion.storage.errors import (
    DatabaseCorrupt,
    DataDirUnusable,
    StorageError,
    classify,
)
from companion.storage.files import DB_FILENAME as DB_FILENAME  # re-exported: where it opens

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# What a service helper runs its statements on inside one unit of work: the ORM Session of
# `Database.transaction()`, or the Connection of `Database.core_transaction()`.
Executor: TypeAlias = Session | Connection
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Database:
    """An open, migrated database: an engine and a session factory."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work, committed before the block's caller continues.

        Driver errors caused by the environment are re-raised as StorageError.
        """
        try:
            with self.sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            fault = classify(exc)
            if fault is not None:
                raise fault from exc
            raise

    @contextmanager
    def core_transaction(self) -> Iterator[Connection]:
        """`transaction()` without the ORM, for an action written in Core statements only.

        The same one transaction, commit and StorageError mapping, minus the Session's own work
        (creating it, its unit of work, closing it), which costs as much as a few statements: the
        checkpoint save, the action a clinician waits on most often, uses it (issue 7).
        """
        try:
            with self.engine.begin() as connection:
                yield connection
        except DBAPIError as exc:
            fault = classify(exc)
            if fault is not None:
                raise fault from exc
            raise


def _set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed row survives a power cut, not only an app crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def check_file(path: Path) -> None:
    """Refuse a file that is not an intact SQLite database, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != _SQLITE_MAGIC:
        raise DatabaseCorrupt(
            f"{path.name} is not a SQLite database (it may be damaged).",
            "It was left untouched. Restore a backup with "
            "'python main.py restore --from FILE', or move the file away to start empty.",
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise (classify(exc) or exc) from exc
    if rows != [("ok",)]:
        raise DatabaseCorrupt(
            f"{path.name} failed its integrity check ({rows[0][0]}).",
            "It was left untouched. Restore a backup with 'python main.py restore --from FILE'.",
        )


def check_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirUnusable(
            f"The data folder {data_dir} cannot be created ({exc.strerror}).",
            "Choose another folder with --data-dir, or ask IT for access.",
        ) from exc
    # Try a real write: permission bits alone miss immutable folders, read-only mounts and root.
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise DataDirUnusable(
            f"The data folder {data_dir} is read-only ({exc.strerror}).",
            "Ask IT to give this account write access, or choose another folder with --data-dir.",
        ) from exc


def backup_to(source: Path, target: Path) -> None:
    """Copy a live database with SQLite's online backup API (consistent even mid-write)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)


def open_database(data_dir: Path, now: datetime, filename: str = DB_FILENAME) -> Database:
    """Open (creating if needed) and migrate the database in `data_dir`."""
    check_data_dir(data_dir)
    path = data_dir / filename
    check_file(path)
    existed = path.exists() and path.stat().st_size > 0
    engine = make_engine(path)
    try:
        current = migrations.current_revision(engine) if existed else None
        migrations.refuse_newer(current)
        if existed and current != migrations.head_revision():
            stamp = now.strftime("%Y%m%dT%H%M%SZ")
            backup = data_dir / "backups" / f"pre-migration-{current or 'none'}-{stamp}.sqlite3"
            backup_to(path, backup)
            log.info("backup before migration written to %s", backup.name)
        migrations.upgrade(engine)
    except StorageError:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        fault = classify(exc)
        if fault is not None:
            raise fault from exc
        raise
    except sqlite3.Error as exc:
        engine.dispose()
        raise (classify(exc) or exc) from exc
    return Database(path=path, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
