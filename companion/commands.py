"""Command-line subcommands that need no GUI."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from companion.app_setup import open_services


def list_sessions(data_dir: Path, *, demo: bool, out: TextIO) -> int:
    services = open_services(data_dir, demo=demo)
    try:
        for row in services.sessions.all_sessions():
            out.write(
                f"{row.id}\t{row.started_at.date().isoformat()}\t{row.chart_number}\t{row.status.value}\n"
            )
    finally:
        services.db.close()
    return 0
