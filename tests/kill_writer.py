"""A real process that commits entries through the service layer and reports each one.

Used by the kill tests: it prints `committed <id>` only after the service call returned, i.e.
after COMMIT. The parent SIGKILLs it at a random moment and checks every reported id survived.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from argon2 import PasswordHasher

from companion.clock import SystemClock
from companion.services import Services
from companion.storage.database import open_database
from companion.storage.models import Indication


def main(data_dir: Path, run: int) -> None:
    clock = SystemClock()
    db = open_database(data_dir, clock.now())
    services = Services.create(db, clock, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    actor = (
        services.staff.create_first_admin("admin", "Admin", "2468")
        if not services.staff.has_staff()
        else services.staff.sign_in("admin", "2468")
    )
    from companion.storage.models import Role

    if run == 0:
        services.staff.add_staff(actor, "guide", "Guide", Role.GUIDE, "2468")
    guide = services.staff.sign_in("guide", "2468")
    print("ready", flush=True)
    i = 0
    while True:
        # Long free text so a kill often lands inside a multi-page write.
        row = services.patients.add_patient(
            guide, f"R{run}-{i}", "Given" * 19, "Family" * 16, date(1980, 1, 1), Indication.OTHER
        )
        services.sessions.start_session(guide, row.id)
        print(f"committed {row.id}", flush=True)
        i += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
