"""A fully recorded session for the export tests."""

from __future__ import annotations

import pytest

from companion.roles import Actor
from companion.services import Services
from companion.services.record_types import SessionRecord
from tests.conftest import START
from tests.unit.export.factory import add_patient, make_session


@pytest.fixture
def record(services: Services, physician: Actor, guide: Actor) -> SessionRecord:
    pid = add_patient(services, guide)
    made = make_session(services, pid, physician, guide, START, adverse_observation=True)
    return services.records.session_record(physician, made.session_id)
