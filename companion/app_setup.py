"""Opening the right database (real or demo) and building the services: shared by the GUI and
the command-line subcommands."""

from __future__ import annotations

from pathlib import Path

from companion.clock import Clock, SystemClock
from companion.services import Services
from companion.storage.database import DB_FILENAME, open_database

DEMO_DB_FILENAME = "demo.sqlite3"


def open_services(data_dir: Path, *, demo: bool, clock: Clock | None = None) -> Services:
    clock = clock or SystemClock()
    filename = DEMO_DB_FILENAME if demo else DB_FILENAME
    db = open_database(data_dir, clock.now(), filename=filename)
    services = Services.create(db, clock)
    if demo and not services.staff.has_staff():
        from companion.demo import seed_demo

        seed_demo(db, today=clock.now().date())
    return services
