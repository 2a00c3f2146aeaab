"""A signed reflection note, read-only: the content, the signature line, and its addenda."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.export.summary import NOTE_FIELDS
from companion.roles import Action, Actor
from companion.services.notes import NoteState
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named


def when_text(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at is not None else "?"


def _value_html(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "<i>none</i>" if key == "adverse_events" else "<i>—</i>"
    if key == "adverse_events":
        items = []
        for e in value:
            sae = " — <b>SAE</b>" if e.get("sae") else ""
            items.append(
                f"<li>{escape(str(e.get('description', '')))} "
                f"({escape(str(e.get('severity') or 'not graded'))}){sae}</li>"
            )
        return "<ul>" + "".join(items) + "</ul>"
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value)).replace("\n", "<br>")


# Short values read best inline ("Intensity (0–10): 7"); free text gets its own heading.
INLINE = frozenset(
    {"themes", "intensity", "tone", "mood_post", "anxiety_post", "music_vr", "practices"}
    | {"next_integration", "physician_plan"}
)


def note_html(content: dict[str, Any]) -> str:
    parts = []
    for key, title in NOTE_FIELDS:
        value = _value_html(key, content.get(key))
        if key in INLINE:
            parts.append(f"<p><b>{escape(title)}:</b> {value}</p>")
        else:
            parts.append(f"<h4>{escape(title)}</h4><p>{value}</p>")
    return "".join(parts)


class SignedNoteView(QWidget):
    """The locked note. `add_addendum` is the button the page connects."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signed_note")
        self.signature = QLabel("")
        self.signature.setObjectName("note_signature")
        self.signature.setProperty("role", "banner")
        self.signature.setWordWrap(True)
        self.body = QTextBrowser()
        self.body.setObjectName("note_body")
        self.body.setAccessibleName("Signed note")
        self.addenda = QLabel("")
        self.addenda.setObjectName("note_addenda")
        self.addenda.setWordWrap(True)
        self.add_addendum = named(
            QPushButton("Add addendum…"), "note_add_addendum", "Add an addendum"
        )
        row = QHBoxLayout()
        row.addWidget(self.addenda, 1)
        row.addWidget(self.add_addendum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.signature)
        layout.addWidget(self.body, 1)
        layout.addLayout(row)

    def show_note(self, note: NoteState, actor: Actor | None) -> None:
        self.signature.setText(
            f"Signed by {note.signed_by} at {when_text(note.signed_at)}; "
            f"guide: {note.guide or 'not named'}.  Locked — corrections are addenda.\n"
            f"Content SHA-256 {note.content_sha256 or '?'}"
        )
        self.body.setHtml(note_html(note.content))
        if note.addenda:
            self.addenda.setText(
                "<b>Addenda</b><br>"
                + "<br>".join(
                    f"{escape(when_text(a.written_at))}, {escape(a.author)}: "
                    + escape(a.text).replace("\n", "<br>")
                    for a in note.addenda
                )
            )
        else:
            self.addenda.setText("No addenda.")
        self.add_addendum.setEnabled(actor is not None and actor.may(Action.ADD_ADDENDUM))


class AddendumDialog(QDialog):
    """Writes an addendum through NoteService; `note` holds the updated note after accept()."""

    def __init__(self, ctx: AppContext, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add addendum")
        self.setObjectName("addendum_dialog")
        self._ctx = ctx
        self._session_id = session_id
        self.note: NoteState | None = None
        intro = QLabel(
            "The signed note stays as it is; this addendum is added with your name and the time."
        )
        intro.setWordWrap(True)
        self.text = named(QPlainTextEdit(), "addendum_text", "Addendum text")
        self.message = FieldMessage("addendum_error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add addendum")
        ok.setObjectName("addendum_confirm")
        ok.setProperty("primary", True)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def confirm(self) -> None:
        actor = self._ctx.require_actor()
        try:
            self.note = attempt(
                self,
                "add an addendum",
                lambda: self._ctx.services.notes.add_addendum(
                    actor, self._session_id, self.text.toPlainText()
                ),
            )
        except FieldError as exc:
            self.message.show_message(exc.message)
            self.text.setFocus()
            return
        except ActionFailed:
            return
        self.accept()
