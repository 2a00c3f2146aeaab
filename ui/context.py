"""What every screen is given in its constructor (no globals, no singletons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from companion.clock import Clock
from companion.roles import Actor
from companion.services import Services


@dataclass
class AppContext:
    services: Services
    clock: Clock
    data_dir: Path
    demo: bool = False
    actor: Actor | None = field(default=None)

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("no one is signed in")
        return self.actor
