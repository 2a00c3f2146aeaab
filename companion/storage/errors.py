"""Environment faults, told apart from bugs.

A locked, corrupt, read-only or full database is the environment's fault: the user gets a message
saying what is wrong and what to do, and the file is left as it is. Anything else is a bug and is
left to fail loudly (after qutebrowser's misc/sql.py).
"""

from __future__ import annotations

import sqlite3


class StorageError(Exception):
    """A fault of the environment the user can act on."""

    def __init__(self, problem: str, what_to_do: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.what_to_do = what_to_do

    def __str__(self) -> str:
        return f"{self.problem} {self.what_to_do}"


class DatabaseLocked(StorageError):
    pass


class DatabaseCorrupt(StorageError):
    pass


class DatabaseReadOnly(StorageError):
    pass


class DiskFull(StorageError):
    pass


class SchemaTooNew(StorageError):
    pass


class DataDirUnusable(StorageError):
    pass


def classify(exc: BaseException) -> StorageError | None:
    """Map a driver error to a StorageError, or None when it is a bug."""
    # SQLAlchemy's DBAPIError wraps the driver's error in `.orig`; read it without importing
    # SQLAlchemy, so the first window (which shows these messages) loads before the ORM.
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlite3.Error):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseLocked(
            "The database is busy: another program is holding it.",
            "Close other copies of Session Companion on this computer and try again.",
        )
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(
            "The disk is full, so the last entry could not be saved.",
            "Free some disk space, then confirm the entry again. Nothing saved earlier is lost.",
        )
    if primary == sqlite3.SQLITE_READONLY:
        return DatabaseReadOnly(
            "The database cannot be written: the file or its folder is read-only.",
            "Ask IT to give this account write access to the data folder.",
        )
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DatabaseCorrupt(
            "The database file is damaged or is not a Session Companion database.",
            "Do not delete it. Restore the latest backup with "
            "'python main.py restore --from FILE' and contact support.",
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return DataDirUnusable(
            "The database file cannot be opened.",
            "Check that the data folder exists and this account may write to it.",
        )
    if primary == sqlite3.SQLITE_IOERR:
        return DiskFull(
            "The disk reported an error while saving.",
            "Check free space and the disk, then confirm the entry again.",
        )
    return None
