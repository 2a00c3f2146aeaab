"""Alembic migrations, run programmatically at start-up (no alembic.ini needed).

Alembic itself (~0.35 s to import) is loaded only when a migration has to run: every start reads
the stored revision with plain SQL and compares it with the revisions this app ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from companion.storage.errors import SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

_HERE = Path(__file__).resolve().parent

# Every revision in versions/, oldest first; tests/unit/storage checks this against Alembic.
REVISIONS: tuple[str, ...] = ("0001", "0002")
HEAD = REVISIONS[-1]


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return HEAD


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)


def refuse_newer(revision: str | None) -> None:
    if revision is None or revision in REVISIONS:
        return
    raise SchemaTooNew(
        f"The database was written by a newer version of Session Companion (schema {revision}).",
        "Update the app on this computer; the file was left untouched.",
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
