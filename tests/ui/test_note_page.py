"""The note page: pre-filled draft, autosave after the debounce, survival of a "crash",
partial saves with messages at the field, signing locks it, addenda show."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.roles import Actor
from companion.storage.models import ReflectionNote, SessionStatus, TreatmentSession
from tests.unit.services.test_notes import discharged_session
from ui.context import AppContext
from ui.note_page import AUTOSAVE_MS, NotePage
from ui.note_view import AddendumDialog


def open_page(qtbot: QtBot, ctx: AppContext, sid: int) -> NotePage:
    page = NotePage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 900)
    page.load(ctx.services.sessions.get(sid))
    with qtbot.waitActive(page):  # focus-out events need an active window
        page.show()
        page.activateWindow()
    return page


def stored(ctx: AppContext) -> dict[str, object]:
    with ctx.services.db.transaction() as s:
        return dict(s.scalars(select(ReflectionNote)).one().content)


def text_input(page: NotePage, key: str) -> QPlainTextEdit:
    w = page.inputs[key]
    assert isinstance(w, QPlainTextEdit)
    return w


def test_opens_prefilled_and_autosaves_after_the_debounce(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    assert page.stack.currentIndex() == 1
    assert text_input(page, "intention").toPlainText() == "To meet my sadness with kindness."
    assert "ketamine 50 mg IM" in text_input(page, "timeline").toPlainText()
    assert page.adverse.rows[0].description.text().startswith("vomiting")

    experience = text_input(page, "experience")
    experience.setFocus()
    qtbot.keyClicks(experience, "Warm and far away")
    assert page.saved_label.text() == "Unsaved changes…"
    assert page._timer.isActive() and page._timer.interval() == AUTOSAVE_MS
    assert stored(ctx)["experience"] == ""  # nothing yet: the debounce has not fired
    # Fire the debounce at once rather than waiting half a second.
    page._timer.setInterval(0)
    page._timer.start()
    with qtbot.waitSignal(page._timer.timeout, timeout=1000):
        pass
    assert stored(ctx)["experience"] == "Warm and far away"
    assert page.saved_label.text() == "Saved " + ctx.clock.now().astimezone().strftime("%H:%M:%S")

    # A "crash": the page is never hidden or closed; a new one shows what was typed.
    again = open_page(qtbot, ctx, sid)
    assert text_input(again, "experience").toPlainText() == "Warm and far away"


def test_focus_out_saves_and_tags_ratings_are_stored(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    qtbot.mouseClick(page.themes.buttons["grief"], Qt.MouseButton.LeftButton)
    assert page.themes.buttons["grief"].text() == "✓ grief"
    page.other_themes.setFocus()
    qtbot.keyClicks(page.other_themes, "forgiveness, grief")
    intensity = page.inputs["intensity"]
    assert isinstance(intensity, QSpinBox)
    intensity.setFocus()  # focus leaves the themes field: saved now, not after the timer
    content = stored(ctx)
    assert content["themes"] == ["grief", "forgiveness"]
    qtbot.keyClick(intensity, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(intensity, "7")
    assert intensity.value() == 7
    page.flush()
    assert stored(ctx)["intensity"] == 7
    assert not page._timer.isActive()


def test_a_refused_field_keeps_its_message_and_the_rest_is_saved(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    text_input(page, "insights").insertPlainText("x" * 8001)
    body = text_input(page, "body")
    body.setFocus()
    qtbot.keyClicks(body, "Heavy limbs")
    assert page.flush() is False
    content = stored(ctx)
    assert content["body"] == "Heavy limbs" and content["insights"] == ""
    assert "Too long" in page.messages["insights"].text()
    assert page.messages["insights"].isVisible()
    assert page.saved_label.text() == "Not saved: Insights"
    text_input(page, "insights").setPlainText("Effort to appear fine")
    assert page.flush() is True
    assert stored(ctx)["insights"] == "Effort to appear fine"
    assert not page.messages["insights"].isVisible()


def test_guide_cannot_sign_or_set_the_plan(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    assert not page.sign_button.isEnabled() and not page.plan.isEnabled()
    assert page.guide.currentText() == "Gina Guide"


def test_sign_locks_the_form_and_addenda_show(
    qtbot: QtBot,
    ctx: AppContext,
    guide: Actor,
    physician: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx.actor = physician
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    asked: list[str] = []

    def answer_yes(_parent: object, title: str, _text: str) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr("ui.note_page.confirm", answer_yes)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert "Choose the plan" in page.messages["physician_plan"].text()
    page.plan.setFocus()
    qtbot.keyClick(page.plan, Qt.Key.Key_Down)  # "Continue"
    assert page.value("physician_plan") == "continue"
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert "Grade every adverse event" in page.messages["adverse_events"].text()
    severity = page.adverse.rows[0].severity
    severity.setFocus()
    qtbot.keyClick(severity, Qt.Key.Key_Down)  # "Mild"
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)

    assert asked == ["Sign the note?"]  # asked only once the note is complete
    assert page.stack.currentWidget() is page.signed_view
    signature = page.signed_view.signature.text()
    assert signature.startswith("Signed by Dr. Test Physician at ")
    assert "guide: Gina Guide" in signature
    assert "Mild" not in signature and "(mild)" in page.signed_view.body.toPlainText()
    with ctx.services.db.transaction() as s:
        note = s.scalars(select(ReflectionNote)).one()
        assert note.status == "signed" and note.content["physician_plan"] == "continue"
        assert s.get_one(TreatmentSession, sid).status == SessionStatus.COMPLETED

    def write_addendum() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddendumDialog)
        dialog.text.insertPlainText("Called next day: slept well — no nausea.")
        dialog.confirm()

    QTimer.singleShot(0, write_addendum)
    qtbot.mouseClick(page.signed_view.add_addendum, Qt.MouseButton.LeftButton)
    addenda = page.signed_view.addenda.text()
    assert "Dr. Test Physician: Called next day: slept well — no nausea." in addenda


def test_addendum_dialog_refuses_empty_text(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    ctx.services.notes.draft(guide, sid)
    ctx.services.notes.save_draft(
        physician,
        sid,
        {
            "physician_plan": "pause",
            "adverse_events": [{"description": "vomiting", "severity": "mild", "sae": False}],
        },
    )
    ctx.services.notes.sign(physician, sid)
    dialog = AddendumDialog(ctx, sid)
    qtbot.addWidget(dialog)
    dialog.confirm()
    assert "required" in dialog.message.text()
    assert dialog.note is None


def test_before_discharge_shows_a_placeholder_and_creates_nothing(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    from tests.unit.services.test_discharge import dosed_session

    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    assert page.stack.currentWidget() is page.placeholder
    assert ctx.services.notes.peek(sid) is None


def test_hiding_the_page_saves_pending_edits_and_stops_the_timer(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    tone = page.inputs["tone"]
    tone.setFocus()
    qtbot.keyClicks(tone, "tender")
    assert page._timer.isActive()
    page.hide()
    assert not page._timer.isActive()
    assert stored(ctx)["tone"] == "tender"
