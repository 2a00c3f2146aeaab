"""Fixtures shared by every test: a temporary data dir and database, a fake clock, staff of every
role, and a guard that fails a test which leaves a QTimer running."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

# Before any Qt import: tests never need a display, and the audio backend's probing is noise.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

import pytest
from argon2 import PasswordHasher

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.database import DB_FILENAME, Database, open_database
from companion.storage.models import Role

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Fast hashing for tests only: the app uses argon2's recommended defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PIN = "2468"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated database, copied for each test (migrating costs ~0.3 s)."""
    folder = tmp_path_factory.mktemp("template")
    db = open_database(folder, START)
    db.close()
    return folder / DB_FILENAME


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db(data_dir: Path, template_db: Path, clock: ManualClock) -> Iterator[Database]:
    shutil.copy(template_db, data_dir / DB_FILENAME)
    database = open_database(data_dir, clock.now())
    yield database
    database.close()


@pytest.fixture
def services(db: Database, clock: ManualClock) -> Services:
    return Services.create(db, clock, hasher=FAST_HASHER)


@pytest.fixture
def admin(services: Services) -> Actor:
    return services.staff.create_first_admin("admin", "Alex Admin", PIN)


@pytest.fixture
def staff_by_role(services: Services, admin: Actor) -> dict[Role, Actor]:
    actors = {Role.ADMIN: admin}
    for role, username, name in [
        (Role.PHYSICIAN, "dr.test", "Dr. Test Physician"),
        (Role.GUIDE, "guide.test", "Gina Guide"),
        (Role.STAFF, "staff.test", "Stan Staff"),
    ]:
        row = services.staff.add_staff(admin, username, name, role, PIN)
        actors[role] = Actor(row.id, row.role, row.display_name)
    return actors


@pytest.fixture
def physician(staff_by_role: dict[Role, Actor]) -> Actor:
    return staff_by_role[Role.PHYSICIAN]


@pytest.fixture
def guide(staff_by_role: dict[Role, Actor]) -> Actor:
    return staff_by_role[Role.GUIDE]


@pytest.fixture(autouse=True)
def no_leaked_timers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a QTimer running after its widgets were closed (as napari does).

    Autouse fixtures are set up before qtbot, so this teardown runs after qtbot closed the
    test's widgets: a timer still active then would tick into a dead screen.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QTimer

    started: list[QTimer] = []
    original = QTimer.start

    def recording_start(self: QTimer, *args: int) -> None:
        started.append(self)
        original(self, *args)

    QTimer.start = recording_start  # type: ignore[method-assign]
    try:
        yield
    finally:
        QTimer.start = original  # type: ignore[method-assign]
    leaked = []
    for timer in started:
        try:
            if timer.isActive():
                owner = timer.parent()
                leaked.append(owner.objectName() if owner is not None else "<no parent>")
                timer.stop()
        except RuntimeError:  # already deleted by Qt: not a leak
            continue
    assert not leaked, f"QTimer(s) still running after the test, owned by: {leaked}"
