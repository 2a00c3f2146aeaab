"""Session Companion: command line and wiring only."""

from __future__ import annotations

import argparse
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
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
        from ui.app import run_app

        return run_app(data_dir, demo=args.demo)
    except StorageError as exc:
        print(
            f"Session Companion cannot continue: {exc.problem}\n{exc.what_to_do}", file=sys.stderr
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
