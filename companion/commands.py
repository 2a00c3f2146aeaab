"""Command-line subcommands that need no GUI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from companion.app_setup import open_services

if TYPE_CHECKING:
    from companion.services.record_types import SessionRecord


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


def backup(data_dir: Path, *, demo: bool, out_file: Path, out: TextIO) -> int:
    """`backup --out FILE`: a consistent copy of the (real or demo) database."""
    from companion.backups import write_backup

    services = open_services(data_dir, demo=demo)
    try:
        written = write_backup(services.db.path, out_file)
    finally:
        services.db.close()
    out.write(f"Backup written to {written} ({written.stat().st_size} bytes).\n")
    return 0


def restore(data_dir: Path, *, demo: bool, source: Path, force: bool, out: TextIO) -> int:
    """`restore --from FILE`: replace the database with a checked backup, keeping the old file."""
    from companion.backups import restore as restore_file
    from companion.clock import SystemClock
    from companion.storage.database import check_data_dir
    from companion.storage.files import database_path

    check_data_dir(data_dir)
    target = database_path(data_dir, demo=demo)
    kept = restore_file(target, source, SystemClock().now(), force=force)
    out.write(f"Restored {target.name} from {source}.\n")
    if kept is not None:
        out.write(f"The database it replaced was kept as {kept}.\n")
    return 0


def export_session(
    data_dir: Path,
    *,
    demo: bool,
    session: str,
    fmt: str,
    out_file: Path,
    out: TextIO,
    err: TextIO,
    pdf_writer: Callable[[SessionRecord, Path], object] | None = None,
) -> int:
    """`export --session ID|latest --format pdf|csv|fhir --out FILE`; audited as an export.

    `latest` is the most recently started completed session. The PDF needs Qt, which the core
    may not import: main.py passes `pdf_writer` in.
    """
    from companion.errors import FieldError
    from companion.export import write_atomically
    from companion.export.csv_export import to_csv
    from companion.export.fhir import to_json

    if not out_file.parent.is_dir():  # checked first, so a doomed export is not audited
        err.write(f"The folder {out_file.parent} does not exist.\n")
        return 2
    services = open_services(data_dir, demo=demo)
    try:
        if session == "latest":
            session_id = services.records.latest_session_id()
            if session_id is None:
                err.write("There is no completed session to export.\n")
                return 2
        elif session.isdecimal() and session.isascii():
            session_id = int(session)
        else:
            err.write(f"--session must be a session id (a number) or 'latest', not {session!r}.\n")
            return 2
        try:
            record = services.records.record_for_command_line_export(session_id, fmt)
        except FieldError as exc:
            err.write(f"{exc.message}\n")
            return 2
        try:
            if fmt == "pdf":
                assert pdf_writer is not None, "main.py passes the Qt PDF writer"
                pdf_writer(record, out_file)
            elif fmt == "csv":
                write_atomically(out_file, to_csv(record))
            else:
                write_atomically(out_file, to_json(record, services.clock.now()))
        except OSError as exc:
            err.write(f"Could not write {out_file}: {exc.strerror or exc}.\n")
            return 1
    finally:
        services.db.close()
    out.write(
        f"Exported session {record.id} ({record.patient.chart_number} #{record.number_in_course}) "
        f"as {fmt.upper()} to {out_file}\n"
    )
    return 0
