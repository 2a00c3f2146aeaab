"""Where the database lives, and a look inside it with the sqlite3 module alone.

The first window (sign-in, or creating the administrator on a new installation) must appear
before SQLAlchemy has loaded, so choosing it cannot use the ORM. Opening the database properly
(checks, migrations) happens meanwhile on a background thread and reports anything wrong.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DB_FILENAME = "companion.sqlite3"
DEMO_DB_FILENAME = "demo.sqlite3"


def database_path(data_dir: Path, *, demo: bool) -> Path:
    return data_dir / (DEMO_DB_FILENAME if demo else DB_FILENAME)


def has_staff(path: Path) -> bool:
    """True if the file holds at least one staff account.

    False for a missing, empty, damaged or unreadable file: such a file is reported by the real
    opening, never modified here (read-only URI, no journal created).
    """
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            row = conn.execute("SELECT EXISTS (SELECT 1 FROM staff)").fetchone()
            return bool(row == (1,))
        finally:
            conn.close()
    except sqlite3.Error:
        return False
