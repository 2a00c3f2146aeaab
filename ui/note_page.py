"""The Reflection note phase: the structured note (CLINICAL.md §6), pre-filled, saved as it is
typed; signed by the physician; then read-only with addenda.

Autosave: every edit marks its field dirty and restarts a parented single-shot timer; when it
fires (or the field loses focus, or the page hides) the dirty fields are saved in one service
call. A field the service refuses keeps its message and stays dirty; the others are saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.roles import Action, Actor
from companion.services.notes import (
    PLANS,
    PRACTICES,
    TEXT_LIMITS,
    THEME_TAGS,
    NoteState,
    check_ready_to_sign,
)
from companion.services.sessions import SessionRow
from companion.storage.models import Phase, Role
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.note_view import AddendumDialog, SignedNoteView
from ui.phase_page import PhasePage
from ui.widgets.adverse_events import AdverseEventsEditor
from ui.widgets.tag_picker import TagPicker

AUTOSAVE_MS = 500
NOT_RATED = -1
LABELS = {
    "intention": "Intention (revisited)",
    "timeline": "Timeline",
    "vitals_summary": "Vitals: baseline and peak",
    "centering": "Centering",
    "observations": "Observations",
    "music_vr": "Music / VR",
    "experience": "Subjective experience",
    "themes": "Themes",
    "intensity": "Intensity (0–10)",
    "tone": "Emotional tone",
    "challenges": "Challenging moments and support",
    "insights": "Insights",
    "body": "Body sensations",
    "mood_post": "Mood after (0–10)",
    "anxiety_post": "Anxiety after (0–10)",
    "adverse_events": "Adverse events",
    "practices": "Integration practices",
    "integration_plan": "Integration plan",
    "next_integration": "Next integration session",
    "physician_plan": "Physician's plan",
}
FROM_SESSION = ("intention", "timeline", "vitals_summary", "centering", "observations")
SINGLE_LINE_TEXT = ("tone", "music_vr")


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question (a module function so tests can answer it)."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class NotePage(PhasePage):
    phase = Phase.NOTE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("note_page")
        self.note: NoteState | None = None
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.flush)

        title = QLabel("Reflection note")
        title.setProperty("role", "heading")
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("note_saved")
        self.saved_label.setProperty("role", "muted")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.saved_label)

        self.placeholder = QLabel("The reflection note opens after the patient is discharged.")
        self.placeholder.setObjectName("note_placeholder")
        self.placeholder.setProperty("role", "banner")
        self.placeholder.setWordWrap(True)
        self.signed_view = SignedNoteView()
        self.signed_view.add_addendum.clicked.connect(self.add_addendum)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._build_editor())
        self.stack.addWidget(self.signed_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Signing sits in the top bar, visible without scrolling, while the note is a draft.
        self.sign_bar = QWidget()
        sign = QHBoxLayout(self.sign_bar)
        sign.setContentsMargins(16, 0, 0, 0)
        sign.addWidget(QLabel("Guide"))
        sign.addWidget(self.guide)
        sign.addWidget(self.sign_button)
        self.guide.setMinimumWidth(180)
        top.addWidget(self.sign_bar)
        layout.addLayout(top)
        layout.addWidget(self.sign_msg)
        layout.addWidget(self.stack, 1)

    # --- building ------------------------------------------------------------------------------

    def _build_editor(self) -> QWidget:
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        for key in TEXT_LIMITS:
            widget: QWidget
            if key in SINGLE_LINE_TEXT:
                line = QLineEdit()
                line.setMaxLength(TEXT_LIMITS[key])
                line.textEdited.connect(lambda _t, k=key: self._edited(k))
                widget = line
            else:
                text = QPlainTextEdit()
                text.setTabChangesFocus(True)
                tall = {
                    "timeline": 220,
                    "experience": 150,
                    "vitals_summary": 110,
                    "observations": 110,
                }
                text.setFixedHeight(tall.get(key, 84))
                text.textChanged.connect(lambda k=key: self._edited(k))
                widget = text
            self.inputs[key] = named(widget, f"note_{key}", LABELS[key])
        for key in ("intensity", "mood_post", "anxiety_post"):
            spin = named(QSpinBox(), f"note_{key}", LABELS[key])
            spin.setRange(NOT_RATED, 10)
            spin.setSpecialValueText("not rated")
            spin.setMinimumWidth(110)
            spin.valueChanged.connect(lambda _v, k=key: self._edited(k))
            self.inputs[key] = spin
        self.themes = TagPicker(THEME_TAGS, "note_themes", "Themes")
        self.themes.changed.connect(lambda: self._edited("themes"))
        self.other_themes = named(QLineEdit(), "note_other_themes", "Other themes, comma-separated")
        self.other_themes.setPlaceholderText("Other themes, separated by commas")
        self.other_themes.textEdited.connect(lambda _t: self._edited("themes"))
        self.practices = TagPicker(PRACTICES, "note_practices", "Integration practices", columns=3)
        self.practices.changed.connect(lambda: self._edited("practices"))
        self.adverse = AdverseEventsEditor()
        self.adverse.changed.connect(lambda: self._edited("adverse_events"))
        self.next_booked = named(QCheckBox("Booked for"), "note_next_booked", "Next session booked")
        self.next_date = named(QDateEdit(), "note_next_integration", LABELS["next_integration"])
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat("yyyy-MM-dd")
        self.next_booked.toggled.connect(lambda _on: self._edited("next_integration"))
        self.next_booked.toggled.connect(self.next_date.setEnabled)
        self.next_date.dateChanged.connect(lambda _d: self._edited("next_integration"))
        self.plan = named(QComboBox(), "note_physician_plan", LABELS["physician_plan"])
        self.plan.addItem("Not decided", None)
        for plan in PLANS:
            self.plan.addItem(plan.capitalize(), plan)
        self.plan.activated.connect(lambda _i: self._edited("physician_plan"))
        self.guide = named(QComboBox(), "note_guide", "Guide who sat with the patient")
        self.sign_button = named(QPushButton("Sign note…"), "note_sign", "Sign the note")
        self.sign_button.setProperty("primary", True)
        self.sign_button.clicked.connect(self.sign)
        self.sign_msg = FieldMessage("note_sign_error")
        for widget in self._all_inputs():
            widget.installEventFilter(self)

        left = QGroupBox("From the session (correct if needed)")
        lf = QVBoxLayout(left)  # labels above their fields: the fields get the full width
        for key in (*FROM_SESSION, "music_vr"):
            self._row(lf, key, self.inputs[key])
        right = QGroupBox("Reflection")
        rf = QVBoxLayout(right)
        themes = QVBoxLayout()
        themes.addWidget(self.themes)
        themes.addWidget(self.other_themes)
        self._row(rf, "experience", self.inputs["experience"])
        self._row(rf, "themes", themes)
        ratings = QHBoxLayout()
        for key, short in (
            ("intensity", "Intensity"),
            ("mood_post", "Mood after"),
            ("anxiety_post", "Anxiety after"),
        ):
            ratings.addWidget(QLabel(short))
            ratings.addWidget(self.inputs[key])
            ratings.addSpacing(12)
            self.messages[key] = FieldMessage(f"note_{key}_error")
        ratings.addStretch(1)
        rf.addWidget(QLabel("Ratings (0–10)"))
        rf.addLayout(ratings)
        for key in ("intensity", "mood_post", "anxiety_post"):
            rf.addWidget(self.messages[key])
        rf.addSpacing(6)
        for key in ("tone", "challenges", "insights", "body"):
            self._row(rf, key, self.inputs[key])
        self._row(rf, "adverse_events", self.adverse)
        self._row(rf, "practices", self.practices)
        self._row(rf, "integration_plan", self.inputs["integration_plan"])
        nxt = QHBoxLayout()
        nxt.addWidget(self.next_booked)
        nxt.addWidget(self.next_date)
        nxt.addStretch(1)
        self._row(rf, "next_integration", nxt)
        self._row(rf, "physician_plan", self.plan)

        lf.addStretch(1)
        rf.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(left, 5)
        columns.addWidget(right, 6)
        body = QWidget()
        body.setLayout(columns)
        scroll = QScrollArea()
        scroll.setObjectName("note_editor")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        return scroll

    def _row(self, form: QVBoxLayout, key: str, field: QWidget | QHBoxLayout | QVBoxLayout) -> None:
        msg = self.messages.setdefault(key, FieldMessage(f"note_{key}_error"))
        label = QLabel(LABELS[key])
        form.addWidget(label)
        if isinstance(field, QWidget):
            label.setBuddy(field)
            form.addWidget(field)
        else:
            form.addLayout(field)
        form.addWidget(msg)
        form.addSpacing(6)

    def _all_inputs(self) -> list[QWidget]:
        return [*self.inputs.values(), self.other_themes, self.next_date, self.next_booked]

    # --- loading -------------------------------------------------------------------------------

    def load(self, session: SessionRow) -> None:
        super().load(session)
        self.note = None
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        self._timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Show the note; create the pre-filled draft the first time the page is seen after
        discharge (only then: `load` runs for every page when a session opens)."""
        if self.session is None:
            return
        self.flush()
        sid, actor = self.session.id, self.ctx.actor
        note = self.ctx.services.notes.peek(sid)
        at_note = self.ctx.services.sessions.get(sid).phase == Phase.NOTE
        may_write = actor is not None and actor.may(Action.WRITE_NOTE)
        if note is None and at_note and may_write and self.isVisible() and actor is not None:
            try:
                note = attempt(
                    self, "open the note", lambda: self.ctx.services.notes.draft(actor, sid)
                )
            except ActionFailed:
                note = None
        self._show(note)

    def _show(self, note: NoteState | None) -> None:
        self.note = note
        if note is None:
            self.stack.setCurrentIndex(0)
            self.sign_bar.hide()
            self.saved_label.setText("")
            return
        if note.signed:
            self.signed_view.show_note(note, self.ctx.actor)
            self.stack.setCurrentIndex(2)
            self.sign_bar.hide()
            self.sign_msg.show_message("")
            self.saved_label.setText("Signed — locked")
            return
        self._fill(note.content)
        self._fill_guides(note.guide_id)
        actor = self.ctx.actor
        may_write = actor is not None and actor.may(Action.WRITE_NOTE)
        for w in self._all_inputs():
            w.setEnabled(may_write)
        self.next_date.setEnabled(may_write and self.next_booked.isChecked())
        self.themes.set_editable(may_write)
        self.practices.set_editable(may_write)
        self.adverse.set_editable(may_write)
        physician = actor is not None and actor.may(Action.SIGN_NOTE)
        self.plan.setEnabled(physician)
        self.sign_button.setEnabled(physician)
        self.sign_button.setToolTip("" if physician else "Only a physician signs the note.")
        self.saved_label.setText(
            f"Draft, last saved {self._time(note.updated_at)} by {note.updated_by}"
        )
        self.stack.setCurrentIndex(1)
        self.sign_bar.show()

    def _fill(self, c: dict[str, Any]) -> None:
        widgets = [*self._all_inputs(), self.themes, self.practices, self.adverse, self.plan]
        for w in widgets:
            w.blockSignals(True)
        try:
            for key in TEXT_LIMITS:
                w = self.inputs[key]
                if isinstance(w, QLineEdit):
                    w.setText(c.get(key) or "")
                elif isinstance(w, QPlainTextEdit):
                    w.setPlainText(c.get(key) or "")
            for key in ("intensity", "mood_post", "anxiety_post"):
                spin = self.inputs[key]
                assert isinstance(spin, QSpinBox)
                value = c.get(key)
                spin.setValue(NOT_RATED if value is None else int(value))
            themes = list(c.get("themes") or [])
            self.themes.set_selected(t for t in themes if t in THEME_TAGS)
            self.other_themes.setText(", ".join(t for t in themes if t not in THEME_TAGS))
            self.practices.set_selected(c.get("practices") or [])
            self.adverse.set_events(list(c.get("adverse_events") or []))
            nxt = c.get("next_integration")
            self.next_booked.setChecked(bool(nxt))
            self.next_date.setDate(
                QDate.fromString(nxt, "yyyy-MM-dd") if nxt else self._today().addDays(7)
            )
            self.plan.setCurrentIndex(max(0, self.plan.findData(c.get("physician_plan"))))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._dirty.clear()

    def _fill_guides(self, guide_id: int | None) -> None:
        self.guide.clear()
        for staff in self.ctx.services.staff.list_staff():
            if staff.role == Role.GUIDE and (staff.active or staff.id == guide_id):
                self.guide.addItem(staff.display_name, staff.id)
        self.guide.setCurrentIndex(self.guide.findData(guide_id) if guide_id is not None else -1)

    def _today(self) -> QDate:
        now = self.ctx.clock.now().astimezone()
        return QDate(now.year, now.month, now.day)

    def _time(self, when: Any) -> str:
        return when.astimezone().strftime("%H:%M:%S") if when is not None else ""

    # --- autosave ------------------------------------------------------------------------------

    def _edited(self, key: str) -> None:
        self._dirty.add(key)
        self.saved_label.setText("Unsaved changes…")
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self._dirty:
            self.flush()
        return super().eventFilter(watched, event)

    def value(self, key: str) -> Any:
        """The field as the form shows it, in the note's content format."""
        w = self.inputs.get(key)
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QSpinBox):
            return None if w.value() == NOT_RATED else w.value()
        if key == "themes":
            others = [t.strip() for t in self.other_themes.text().split(",") if t.strip()]
            return self.themes.selected() + others
        if key == "practices":
            return self.practices.selected()
        if key == "adverse_events":
            return self.adverse.events()
        if key == "next_integration":
            return (
                self.next_date.date().toString("yyyy-MM-dd")
                if self.next_booked.isChecked()
                else None
            )
        if key == "physician_plan":
            return self.plan.currentData()
        raise KeyError(key)

    def flush(self) -> bool:
        """Save the dirty fields now. True when everything dirty was saved."""
        self._timer.stop()
        if not self._dirty or self.session is None or self.note is None or self.note.signed:
            return not self._dirty
        actor, sid = self.ctx.require_actor(), self.session.id
        patch = {k: self.value(k) for k in sorted(self._dirty)}
        errors: dict[str, str] = {}
        state: NoteState | None = None
        while patch:
            try:
                state = self._save(actor, sid, dict(patch))
                break
            except FieldError as exc:
                errors[exc.field] = exc.message
                if patch.pop(exc.field, None) is None:
                    break  # not a field of this patch: stop rather than loop
            except ActionFailed:
                self.saved_label.setText("Not saved — see the message")
                return False
        for key, msg in self.messages.items():
            msg.show_message(errors.get(key, ""), self.inputs.get(key))
        self._dirty = set(errors)
        if state is not None:
            self.note = state
            self.saved_label.setText(f"Saved {self._time(self.ctx.clock.now())}")
        if errors:
            self.saved_label.setText("Not saved: " + ", ".join(LABELS.get(k, k) for k in errors))
        return not errors

    def _save(self, actor: Actor, sid: int, patch: dict[str, Any]) -> NoteState:
        notes = self.ctx.services.notes
        return attempt(self, "save the note", lambda: notes.save_draft(actor, sid, patch))

    # --- signing and addenda ------------------------------------------------------------------

    def sign(self) -> None:
        if self.session is None or self.note is None or not self.flush():
            return
        self.sign_msg.show_message("")
        guide_id = self.guide.currentData()
        try:
            check_ready_to_sign(self.note.content)
        except FieldError as exc:
            self._sign_refused(exc)
            return
        if not confirm(
            self,
            "Sign the note?",
            "Signing locks the note; later corrections are addenda. The session will be closed.",
        ):
            return
        actor, sid = self.ctx.require_actor(), self.session.id
        try:
            note = attempt(
                self, "sign the note", lambda: self.ctx.services.notes.sign(actor, sid, guide_id)
            )
        except FieldError as exc:
            self._sign_refused(exc)
            return
        except ActionFailed:
            return
        self._show(note)
        self.changed.emit()

    def _sign_refused(self, exc: FieldError) -> None:
        if exc.field in self.messages:
            self.messages[exc.field].show_message(exc.message)
        self.sign_msg.show_message(f"Not signed: {exc.message}")

    def add_addendum(self) -> None:
        if self.session is None:
            return
        dialog = AddendumDialog(self.ctx, self.session.id, self)
        if dialog.exec() and dialog.note is not None:
            self._show(dialog.note)
            self.changed.emit()
