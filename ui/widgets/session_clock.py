"""The large monitoring clock and the checkpoint strip.

Pure display: `show_state` is given the schedule computed from the stored T0 and the injected
clock, and repaints. Nothing here counts time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from companion.schedule import CheckpointState
from ui.theme import restyle
from ui.util import clock_text, hm

CLOCK_POINT_SIZE = 46  # readable across a dim room
COUNTDOWN_POINT_SIZE = 26

# Text as well as colour: a state is never told by colour alone.
STATE_TEXT = {
    "upcoming": "upcoming",
    "due": "DUE now",
    "overdue": "OVERDUE",
    "done": "✓ done",
    "missed": "missed",
}
STATE_FLAG = {"due": "abnormal", "overdue": "alarming"}
CHIPS_PER_ROW = 3
# Short forms for the chips (the tooltip and accessible name carry the full state).
CHIP_TEXT = {"upcoming": "", "due": "· DUE", "overdue": "· LATE", "done": "✓", "missed": "✗ missed"}


def _sized(label: QLabel, points: int, weight: QFont.Weight) -> QLabel:
    font = label.font()
    font.setPointSize(points)
    font.setWeight(weight)
    label.setFont(font)
    return label


def signed_clock(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    return clock_text(seconds) if seconds >= 0 else f"−{clock_text(-seconds)}"


class CheckpointChip(QLabel):
    """One checkpoint: its time and state, highlighted through the theme's `flag` property."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"checkpoint_chip_{key}")
        self.setProperty("role", "banner")
        self.setProperty("flag", "")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(120)
        self.state = ""

    def show_state(self, state: CheckpointState, missed_reason: str | None) -> None:
        when = f"{state.offset_min:g} min" if state.offset_min is not None else "Discharge"
        self.setText(f"{when} {CHIP_TEXT[state.status]}".strip())
        tip = f"{state.label}: {STATE_TEXT[state.status]}"
        if state.due_at is not None:
            tip += f" (due {hm(state.due_at)})"
        if missed_reason:
            tip += f" — {missed_reason}"
        self.setToolTip(tip)
        self.setAccessibleName(tip)
        flag = STATE_FLAG.get(state.status, "")
        if self.property("flag") != flag:
            self.setProperty("flag", flag)
            restyle(self)
        if self.state != state.status:
            self.state = state.status
            self.setProperty("state", state.status)
            restyle(self)


class SessionClockPanel(QWidget):
    """Time since T0 (large), the next checkpoint and its countdown, the planned end, and a chip
    per checkpoint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoring_clock_panel")
        self.elapsed = _sized(QLabel("--:--"), CLOCK_POINT_SIZE, QFont.Weight.Light)
        self.elapsed.setObjectName("monitoring_elapsed")
        self.elapsed.setAccessibleName("Time since injection")
        self.t0_label = QLabel("")
        self.t0_label.setObjectName("monitoring_t0")
        self.t0_label.setProperty("role", "muted")

        self.next_label = QLabel("")
        self.next_label.setObjectName("monitoring_next")
        self.next_label.setProperty("role", "heading")
        self.countdown = _sized(QLabel(""), COUNTDOWN_POINT_SIZE, QFont.Weight.Normal)
        self.countdown.setObjectName("monitoring_countdown")
        self.countdown.setProperty("flag", "")
        self.planned_end = QLabel("")
        self.planned_end.setObjectName("monitoring_planned_end")
        self.planned_end.setProperty("role", "muted")

        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.elapsed)
        left.addWidget(self.t0_label)
        middle = QVBoxLayout()
        middle.setSpacing(2)
        middle.addWidget(self.next_label)
        middle.addWidget(self.countdown)
        middle.addWidget(self.planned_end)
        middle.addStretch(1)
        self.chips_row = QGridLayout()
        self.chips_row.setSpacing(6)
        self.chips: dict[str, CheckpointChip] = {}

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(28)
        layout.addLayout(left)
        layout.addLayout(middle)
        layout.addLayout(self.chips_row, 1)

    def show_state(
        self,
        t0: datetime,
        now: datetime,
        planned_end: datetime,
        states: list[CheckpointState],
        next_state: CheckpointState | None,
        missed: dict[str, str],
    ) -> None:
        self.elapsed.setText(signed_clock(now - t0))
        self.t0_label.setText(f"since injection (T0) at {hm(t0)}")
        self.planned_end.setText(
            f"Planned end {hm(planned_end)}"
            + ("  (passed)" if now >= planned_end else f"  (in {signed_clock(planned_end - now)})")
        )
        if next_state is None:
            self.next_label.setText("All checkpoints recorded")
            self.countdown.setText("")
            flag = ""
        elif next_state.due_at is None:
            self.next_label.setText(f"Next: {next_state.label}")
            self.countdown.setText(
                "due now" if next_state.status == "due" else "after the minimum observation"
            )
            flag = STATE_FLAG.get(next_state.status, "")
        else:
            self.next_label.setText(f"Next: {next_state.label} checkpoint")
            left = next_state.due_at - now
            self.countdown.setText(
                f"in {signed_clock(left)}"
                if left.total_seconds() > 0
                else f"{STATE_TEXT[next_state.status]} · {signed_clock(-left)} late"
            )
            flag = STATE_FLAG.get(next_state.status, "")
        if self.countdown.property("flag") != flag:
            self.countdown.setProperty("flag", flag)
            restyle(self.countdown)
        self._show_chips(states, missed)

    def _show_chips(self, states: list[CheckpointState], missed: dict[str, str]) -> None:
        if [s.key for s in states] != list(self.chips):
            for chip in self.chips.values():
                chip.deleteLater()
            self.chips = {}
            for i, state in enumerate(states):
                chip = CheckpointChip(state.key)
                self.chips[state.key] = chip
                self.chips_row.addWidget(chip, i // CHIPS_PER_ROW, i % CHIPS_PER_ROW)
        for state in states:
            self.chips[state.key].show_state(state, missed.get(state.key))
