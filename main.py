"""Session Companion: command line and wiring only."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

APP_NAME = "SessionCompanion"


def resolve_data_dir(arg: str | None) -> Path:
    """--data-dir, then COMPANION_DATA_DIR, then the platform's user data folder."""
    if arg:
        return Path(arg).expanduser().resolve()
    env = os.environ.get("COMPANION_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="session-companion",
        description="Treatment-room companion for ketamine-assisted psychotherapy sessions.",
    )
    parser.add_argument("--data-dir", help="folder holding the database, backups and logs")
    parser.add_argument(
        "--demo", action="store_true", help="use a separate demo database with synthetic patients"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the app (the default)")
    shots = sub.add_parser("screenshots", help="render every main screen to PNG, offscreen")
    shots.add_argument("--out", required=True, help="folder for the PNG files")
    shots.add_argument("--theme", choices=["dim", "light"], default="dim")
    sub.add_parser("list-sessions", help="print sessions: id, date, chart number, status")
    backup = sub.add_parser("backup", help="copy the database to FILE (SQLite online backup)")
    backup.add_argument("--out", required=True, help="the new backup file (must not exist)")
    restore = sub.add_parser(
        "restore", help="replace the database with a backup (the old file is kept)"
    )
    restore.add_argument("--from", dest="source", required=True, help="the backup file")
    restore.add_argument(
        "--force", action="store_true", help="restore even while a session is in progress"
    )
    export = sub.add_parser("export", help="export one session's record as PDF, CSV or FHIR")
    export.add_argument("--session", required=True, help="a session id, or 'latest' (completed)")
    export.add_argument("--format", required=True, choices=["pdf", "csv", "fhir"])
    export.add_argument("--out", required=True, help="the file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Arguments and paths may hold undecodable bytes (surrogates): echo them escaped
        # rather than fail while printing the very message that explains the problem.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        data_dir = resolve_data_dir(args.data_dir)
        for value in (args.data_dir, getattr(args, "out", None), getattr(args, "source", None)):
            if value is not None:
                os.fsencode(Path(value))  # NUL bytes and unencodable text: refuse, not crash
                if "\0" in value:
                    raise ValueError("embedded null byte")
    except (ValueError, RuntimeError) as exc:
        parser.error(f"not a usable path: {exc}")
    command = args.command or "run"

    from companion.logs import setup_logging
    from companion.storage.errors import StorageError

    try:
        if command == "screenshots":
            from ui.screenshots import write_screenshots

            written = write_screenshots(Path(args.out), theme=args.theme)
            for path in written:
                print(path)
            return 0
        setup_logging(data_dir)
        if command == "list-sessions":
            from companion.commands import list_sessions

            return list_sessions(data_dir, demo=args.demo, out=sys.stdout)
        if command == "backup":
            from companion.commands import backup

            return backup(data_dir, demo=args.demo, out_file=Path(args.out), out=sys.stdout)
        if command == "restore":
            from companion.commands import restore

            return restore(
                data_dir,
                demo=args.demo,
                source=Path(args.source),
                force=args.force,
                out=sys.stdout,
            )
        if command == "export":
            from companion.commands import export_session

            if args.format == "pdf":  # Qt is imported for the PDF only
                from ui.pdf_export import write_pdf_headless
            return export_session(
                data_dir,
                demo=args.demo,
                session=args.session,
                fmt=args.format,
                out_file=Path(args.out),
                out=sys.stdout,
                err=sys.stderr,
                pdf_writer=write_pdf_headless if args.format == "pdf" else None,
            )
        from ui.app import run_app

        return run_app(data_dir, demo=args.demo)
    except StorageError as exc:
        print(
            f"Session Companion cannot continue: {exc.problem}\n{exc.what_to_do}", file=sys.stderr
        )
        return 3
    except OSError as exc:  # e.g. the data folder is a file or cannot be created
        print(
            f"Session Companion cannot continue: {exc.strerror or exc} ({exc.filename}).\n"
            "Choose another folder with --data-dir, or ask IT for access.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
