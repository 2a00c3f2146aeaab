"""Opening the right database (real or demo) and building the services: shared by the GUI and
the command-line subcommands."""

from __future__ import annotations

from pathlib import Path

from companion.clock import Clock, SystemClock
from companion.services import Services
from companion.storage.database import open_database
from companion.storage.files import DEMO_DB_FILENAME, database_path

__all__ = ["DEMO_DB_FILENAME", "open_services"]


def open_services(data_dir: Path, *, demo: bool, clock: Clock | None = None) -> Services:
    clock = clock or SystemClock()
    db = open_database(data_dir, clock.now(), filename=database_path(data_dir, demo=demo).name)
    services = Services.create(db, clock)
    if demo and not services.staff.has_staff():
        from companion.demo import seed_demo

        seed_demo(db, today=clock.now().date())
    return services
