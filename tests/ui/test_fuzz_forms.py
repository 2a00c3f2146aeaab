"""Hostile input in every form that exists: add patient, sign-in, staff administration and the
audit filters. Each input ends in a stored value equal to the cleaned input, or a message at a
field with nothing stored; never an exception. Plus environment faults seen through the GUI."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from companion.roles import Actor
from companion.services.patients import PatientService
from companion.storage.models import Role
from tests.conftest import PIN
from ui.admin import AuditScreen
from ui.admin.staff_admin import AddStaffDialog
from ui.context import AppContext
from ui.dialogs import AddPatientDialog
from ui.forms import FieldMessage
from ui.sign_in import SignInDialog

HOSTILE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=90, max_size=400),
    st.sampled_from(
        [
            "",
            "   ",
            "'; DROP TABLE patient; --",
            '" OR 1=1 --',
            "%_\\",
            "A\x00B",
            "tab\there",
            "line\nbreak",
            "\u202eevil",
            "Zoë Ångström-Ñúñez",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
            "x" * 100_000,
            "KC-12",
            "dr.test",
            PIN,
        ]
    ),
)
_CHART_OK = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}", fullmatch=True)
CHART = st.one_of(HOSTILE, _CHART_OK, _CHART_OK)
_NAME_OK = st.text(st.characters(categories=["L", "Pd"]), min_size=1, max_size=90)
NAME = st.one_of(HOSTILE, _NAME_OK, _NAME_OK, _NAME_OK)
DATES = st.dates(min_value=date(1753, 1, 1), max_value=date(9999, 12, 31))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def dispose(widget: QWidget) -> None:
    """Delete now: a fuzz run builds hundreds of forms, and deleteLater() needs an event loop
    these tests never return to (left alive, they slow every later stylesheet change)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    widget.close()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def nfc(text: str) -> str:
    """What clean_text stores for accepted input."""
    return unicodedata.normalize("NFC", text).strip()


def shown_messages(widget: QWidget) -> list[str]:
    return [m.text() for m in widget.findChildren(FieldMessage) if not m.isHidden()]


@settings(FUZZ, max_examples=200)
@given(
    chart=CHART,
    given_name=NAME,
    family=NAME,
    born=st.one_of(DATES, *[st.dates(date(1930, 1, 1), date(2005, 1, 1))] * 3),
    indication=st.integers(0, 4),
)
def test_add_patient_fields(
    qtbot: QtBot,
    ctx: AppContext,
    guide: Actor,
    refuse_dialogs: list[str],
    chart: str,
    given_name: str,
    family: str,
    born: date,
    indication: int,
) -> None:
    before = len(ctx.services.patients.find("", limit=10_000))
    dialog = AddPatientDialog(ctx.services, guide)
    try:
        dialog.chart.setText(chart)
        dialog.given.setText(given_name)
        dialog.family.setText(family)
        dialog.dob.setDate(QDate(born.year, born.month, born.day))
        dialog.indication.setCurrentIndex(indication)
        dialog._confirm()
        after = ctx.services.patients.find("", limit=10_000)
        if dialog.patient is None:
            assert shown_messages(dialog), "refused without a message at a field"
            assert len(after) == before
        else:
            event("stored")
            assert len(after) == before + 1
            stored = ctx.services.patients.get(dialog.patient.id)
            assert stored.chart_number == nfc(dialog.chart.text()).upper()
            assert stored.given_name == nfc(dialog.given.text())
            assert stored.family_name == nfc(dialog.family.text())
            assert stored.date_of_birth == born
        assert refuse_dialogs == []
    finally:
        dispose(dialog)


@FUZZ
@given(username=HOSTILE, secret=HOSTILE)
def test_sign_in_fields(
    qtbot: QtBot,
    ctx: AppContext,
    staff_by_role: dict[Role, Actor],
    refuse_dialogs: list[str],
    username: str,
    secret: str,
) -> None:
    dialog = SignInDialog(ctx.services)
    try:
        dialog.username.setText(username)
        dialog.secret.setText(secret)
        dialog._confirm()
        if dialog.actor is None:
            assert shown_messages(dialog) and dialog.secret.text() == ""
        else:
            assert secret == PIN
            assert dialog.actor.id == staff_by_role[Role.PHYSICIAN].id
        assert refuse_dialogs == []
    finally:
        dispose(dialog)


@FUZZ
@given(username=HOSTILE, name=HOSTILE, role=st.integers(0, 3), secret=HOSTILE, same=st.booleans())
def test_staff_admin_fields(
    qtbot: QtBot,
    ctx: AppContext,
    staff_by_role: dict[Role, Actor],
    refuse_dialogs: list[str],
    username: str,
    name: str,
    role: int,
    secret: str,
    same: bool,
) -> None:
    ctx.actor = staff_by_role[Role.ADMIN]
    before = len(ctx.services.staff.list_staff())
    dialog = AddStaffDialog(ctx)
    try:
        dialog.username.setText(username)
        dialog.display_name.setText(name)
        dialog.role.setCurrentIndex(role)
        dialog.secret.setText(secret)
        dialog.repeat.setText(secret if same else secret + "x")
        dialog._confirm()
        after = ctx.services.staff.list_staff()
        if dialog.added is None:
            assert shown_messages(dialog)
            assert len(after) == before
        else:
            assert same and len(after) == before + 1
            assert dialog.added.username == nfc(dialog.username.text()).casefold()
            assert dialog.added.display_name == nfc(dialog.display_name.text())
            assert ctx.services.staff.sign_in(dialog.added.username, secret).id == dialog.added.id
        assert refuse_dialogs == []
    finally:
        dispose(dialog)


@FUZZ
@given(session=HOSTILE, day_from=DATES, day_to=DATES, actor=st.integers(0, 5))
def test_audit_filter_fields(
    qtbot: QtBot,
    ctx: AppContext,
    staff_by_role: dict[Role, Actor],
    refuse_dialogs: list[str],
    session: str,
    day_from: date,
    day_to: date,
    actor: int,
) -> None:
    ctx.actor = staff_by_role[Role.ADMIN]
    screen = AuditScreen(ctx)
    try:
        screen.refresh()
        screen.session.setText(session)
        screen.day_from.setDate(QDate(day_from.year, day_from.month, day_from.day))
        screen.day_to.setDate(QDate(day_to.year, day_to.month, day_to.day))
        screen.actor.setCurrentIndex(min(actor, screen.actor.count() - 1))
        ok = screen.load()
        if ok:
            assert screen.message.isHidden()
            assert screen.model.rowCount() <= screen.total
        else:
            assert not screen.message.isHidden() and screen.message.text()
        assert refuse_dialogs == []
    finally:
        dispose(screen)


def test_a_locked_database_during_an_action_is_told_and_nothing_is_stored(
    qtbot: QtBot,
    ctx: AppContext,
    guide: Actor,
    refuse_dialogs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from companion.storage.errors import DatabaseLocked

    def locked(*_a: object, **_k: object) -> None:
        raise DatabaseLocked(
            "The database is busy: another program is holding it.", "Close other copies."
        )

    monkeypatch.setattr(PatientService, "add_patient", locked)
    dialog = AddPatientDialog(ctx.services, guide)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.chart, "KC-1")
    qtbot.keyClicks(dialog.given, "Ana")
    qtbot.keyClicks(dialog.family, "Silva")
    ok = dialog.findChild(QWidget, "patient_add_confirm")
    assert ok is not None
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert refuse_dialogs == [
        "Could not save: The database is busy: another program is holding it.\n\nClose other copies."
    ]
    assert dialog.patient is None and dialog.chart.text() == "KC-1"  # typed input is kept


def test_start_up_on_a_corrupt_database_shows_what_to_do_and_leaves_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.app import run_app

    path = tmp_path / "companion.sqlite3"
    path.write_bytes(b"this is not a database" * 50)
    before = path.read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.critical",
        lambda _p, title, text: shown.append(f"{title}: {text}"),
    )
    assert run_app(tmp_path, demo=False) == 3
    assert len(shown) == 1 and "not a SQLite database" in shown[0] and "restore" in shown[0]
    assert path.read_bytes() == before
