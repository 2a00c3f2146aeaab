"""Item-by-item entry of a rating scale (PHQ-9, GAD-7, PCL-5): the item wording, the answer
choices, the running total and band, and the PHQ-9 item 9 safety notice.

Keyboard-first: each item row takes focus; a digit answers it and focus moves to the next item,
Backspace clears, Up/Down move. The mouse works too (one button per answer).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.clinical.scales import score_scale
from companion.clinical.tables import PHQ9_SAFETY_ITEM, SCALES
from ui.forms import FieldMessage, named
from ui.theme import restyle

# Palette references only (no colours): the theme's palette follows dim/light.
_STYLE = """
QFrame[role="scale_item"] { border: 2px solid transparent; border-radius: 6px; }
QFrame[role="scale_item"]:focus { border: 2px solid palette(highlight); }
QPushButton[role="answer"] { min-width: 34px; max-width: 44px; padding: 6px 4px; }
QPushButton[role="answer"]:checked { background: palette(highlight);
    color: palette(highlighted-text); font-weight: 700; }
"""


class _ItemRow(QFrame):
    """One item: number, wording, answer buttons and the chosen answer in words."""

    answered = Signal(int, object)  # (index, value or None)
    step = Signal(int, int)  # (index, +1 / -1): move focus

    def __init__(self, scale_id: str, index: int, wording: str, options: tuple[str, ...]) -> None:
        super().__init__()
        self.index = index
        self._options = options
        self.value: int | None = None
        named(self, f"scale_item_{index + 1}", f"Item {index + 1}: {wording}")
        self.setProperty("role", "scale_item")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription(f"Type 0 to {len(options) - 1}")
        number = QLabel(f"{index + 1}.")
        number.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        number.setMinimumWidth(26)
        text = QLabel(wording)
        text.setWordWrap(True)
        self.choice = QLabel("not answered")
        self.choice.setObjectName(f"scale_item_{index + 1}_choice")
        self.choice.setProperty("role", "muted")
        self.group = QButtonGroup(self)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for value, label in enumerate(options):
            b = named(QPushButton(str(value)), f"scale_item_{index + 1}_{value}", label)
            b.setProperty("role", "answer")
            b.setCheckable(True)
            b.setToolTip(f"{value} — {label}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab walks items, not 4–5 buttons each
            self.group.addButton(b, value)
            buttons.addWidget(b)
        buttons.addWidget(self.choice, 1)
        self.group.idClicked.connect(lambda v: self.set_value(v, emit=True))
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        grid.addWidget(number, 0, 0, 2, 1)
        grid.addWidget(text, 0, 1)
        grid.addLayout(buttons, 1, 1)
        grid.setColumnStretch(1, 1)

    def set_value(self, value: int | None, emit: bool = False) -> None:
        self.value = value
        self.group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        for b in self.group.buttons():
            b.setChecked(self.group.id(b) == value)
        self.group.setExclusive(True)
        self.choice.setText(
            "not answered" if value is None else f"{value} — {self._options[value]}"
        )
        self.choice.setProperty("role", "muted" if value is None else "")
        restyle(self.choice)
        if emit:
            self.answered.emit(self.index, value)

    def set_flag(self, flag: str) -> None:
        if self.choice.property("flag") != flag:
            self.choice.setProperty("flag", flag)
            restyle(self.choice)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if text.isascii() and text.isdigit():
            value = int(text)
            if value < len(self._options):
                self.set_value(value, emit=True)
                self.step.emit(self.index, 1)
            else:
                self.answered.emit(self.index, -1)  # out of range: the form shows a message
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.set_value(None, emit=True)
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.step.emit(self.index, 1 if key == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        # Inside a scroll area, bring the item being answered into view.
        parent = self.parentWidget()
        while parent is not None and not hasattr(parent, "ensureWidgetVisible"):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(self)


class ScaleForm(QWidget):
    """Signals:
    completed(list[int]): every item answered (again after any change while complete).
    finished(): the last item was answered by keyboard; the caller may move focus on.
    """

    completed = Signal(list)
    finished = Signal()

    def __init__(self, scale_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"scale_form_{scale_id}")
        self.setStyleSheet(_STYLE)
        self.scale = SCALES[scale_id]
        sc = self.scale
        stem = QLabel(sc.stem)
        stem.setWordWrap(True)
        legend = QLabel("  ·  ".join(f"{i} {o}" for i, o in enumerate(sc.options)))
        legend.setWordWrap(True)
        legend.setProperty("role", "muted")
        self.rows = [_ItemRow(sc.id, i, w, sc.options) for i, w in enumerate(sc.items)]
        self.total_label = QLabel()
        self.total_label.setObjectName("scale_total")
        self.total_label.setProperty("role", "heading")
        self.total_label.setWordWrap(True)
        self.safety = QLabel()
        self.safety.setObjectName("scale_safety")
        self.safety.setProperty("role", "banner")
        self.safety.setProperty("flag", "alarming")
        self.safety.setWordWrap(True)
        self.safety.hide()
        self.message = FieldMessage("scale_error")
        source = QLabel(sc.source)
        source.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for w in (stem, legend):
            layout.addWidget(w)
        for row in self.rows:
            row.answered.connect(self._answered)
            row.step.connect(self._step)
            layout.addWidget(row)
        for w in (self.message, self.total_label, self.safety, source):
            layout.addWidget(w)
        for a, b in zip(self.rows, self.rows[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._update()

    def items(self) -> list[int | None]:
        return [r.value for r in self.rows]

    def set_items(self, items: Sequence[int | None]) -> None:
        """Show stored answers; emits nothing."""
        for row, value in zip(self.rows, items, strict=False):
            row.set_value(value)
        self.message.show_message("")
        self._update()

    def answer(self, index: int, value: int) -> None:
        """Answer one item as if typed (tests, scripted entry)."""
        self.rows[index].set_value(value, emit=True)

    def _answered(self, index: int, value: object) -> None:
        if value == -1:
            self.message.show_message(
                f"Item {index + 1}: answers are 0 to {self.scale.item_max}.", self.rows[index]
            )
            return
        self.message.show_message("", self.rows[index])
        self._update()
        values = self.items()
        if all(v is not None for v in values):
            self.completed.emit([int(v) for v in values if v is not None])

    def _step(self, index: int, delta: int) -> None:
        target = index + delta
        if 0 <= target < len(self.rows):
            self.rows[target].setFocus(Qt.FocusReason.TabFocusReason)
        elif target == len(self.rows):
            self.finished.emit()

    def _update(self) -> None:
        sc = self.scale
        values = self.items()
        answered = [v for v in values if v is not None]
        maximum = sc.n_items * sc.item_max
        if len(answered) == sc.n_items:
            score = score_scale(sc.id, answered)
            text = f"{sc.name} total {score.total} / {maximum} — {score.band}"
            if score.clusters:
                text += "\n" + "   ".join(f"{k} {v}" for k, v in score.clusters.items())
        else:
            text = f"{sc.name}: {len(answered)} of {sc.n_items} answered (running total {sum(answered)})"
        self.total_label.setText(text)
        self.total_label.setAccessibleName(text)
        item9 = values[PHQ9_SAFETY_ITEM - 1] if sc.id == "phq9" else None
        for row in self.rows:
            row.set_flag("alarming" if row.index == PHQ9_SAFETY_ITEM - 1 and item9 else "")
        if item9:
            self.safety.setText(
                f"⚠ SAFETY — PHQ-9 item 9 answered {item9}: thoughts of being better off dead or "
                "of self-harm. The physician is alerted and must assess suicide risk before dosing."
            )
        self.safety.setVisible(bool(item9))
