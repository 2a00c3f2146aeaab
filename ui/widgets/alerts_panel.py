"""Alerts waiting for a clinician: severity (text and colour), what triggered it, the escalation
text, and an acknowledgement with an optional note.

Signals:
    acknowledge_requested(int, str): the alert id and the note typed beside it.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.services.alerts import AlertRow
from ui.forms import named
from ui.util import hm

SEVERITY_TEXT = {"urgent": "URGENT", "warning": "WARNING", "info": "NOTE"}
SEVERITY_FLAG = {"urgent": "alarming", "warning": "abnormal", "info": ""}


class AlertCard(QFrame):
    def __init__(self, alert: AlertRow, t0: datetime | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alert = alert
        self.setObjectName(f"alert_{alert.id}")
        self.setProperty("role", "card")
        severity = QLabel(SEVERITY_TEXT.get(alert.severity, alert.severity.upper()))
        severity.setObjectName(f"alert_{alert.id}_severity")
        severity.setProperty("flag", SEVERITY_FLAG.get(alert.severity, ""))
        title = QLabel(alert.title)
        title.setObjectName(f"alert_{alert.id}_title")
        title.setProperty("flag", SEVERITY_FLAG.get(alert.severity, ""))
        title.setWordWrap(True)
        when = f"raised {hm(alert.raised_at)}"
        if alert.reading_measured_at is not None and t0 is not None:
            minutes = (alert.reading_measured_at - t0).total_seconds() / 60
            when += f" · reading at {minutes:+.0f} min"
        if alert.cleared_at is not None:
            when += f" · no longer present since {hm(alert.cleared_at)}"
        meta = QLabel(when)
        meta.setProperty("role", "muted")
        detail = QLabel(alert.detail)
        detail.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(severity)
        head.addWidget(title, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(head)
        layout.addWidget(detail)
        self.note = named(QLineEdit(), f"alert_{alert.id}_note", f"Note for alert: {alert.title}")
        self.note.setPlaceholderText("What was done (optional)")
        self.note.setMaxLength(1000)
        self.button = named(
            QPushButton("Acknowledge"), f"alert_{alert.id}_ack", f"Acknowledge: {alert.title}"
        )
        row = QHBoxLayout()
        row.addWidget(meta)
        row.addWidget(self.note, 1)
        row.addWidget(self.button)
        layout.addLayout(row)


class AlertsPanel(QWidget):
    acknowledge_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alerts_panel")
        self.heading = QLabel("")
        self.heading.setObjectName("alerts_heading")
        self.heading.setProperty("role", "heading")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.heading)
        self.cards: dict[int, AlertCard] = {}
        # Shown once below the cards: two BP alerts share one escalation text.
        self.escalations: list[QLabel] = []
        self._shown: tuple[AlertRow, ...] = ()
        self.setVisible(False)

    def show_alerts(self, alerts: tuple[AlertRow, ...], t0: datetime | None) -> None:
        """Rebuild only when the alerts changed, so a note being typed is not wiped by a refresh."""
        if alerts == self._shown:
            return
        self._shown = alerts
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        for label in self.escalations:
            label.setParent(None)
            label.deleteLater()
        self.cards, self.escalations = {}, []
        # Escalation first: it must be readable without scrolling past the cards.
        for text in dict.fromkeys(a.escalation for a in alerts if a.escalation):
            label = QLabel(f"Escalate: {text}")
            label.setObjectName("alert_escalation")
            label.setWordWrap(True)
            label.setProperty("flag", "alarming")
            self.escalations.append(label)
            self._layout.addWidget(label)
        for alert in alerts:
            card = AlertCard(alert, t0)
            card.button.clicked.connect(lambda _c=False, c=card: self._acknowledge(c))
            card.note.returnPressed.connect(lambda c=card: self._acknowledge(c))
            self.cards[alert.id] = card
            self._layout.addWidget(card)
        n = len(alerts)
        self.heading.setText(f"{n} alert{'s' if n != 1 else ''} to acknowledge")
        self.setVisible(n > 0)

    def _acknowledge(self, card: AlertCard) -> None:
        self.acknowledge_requested.emit(card.alert.id, card.note.text())
