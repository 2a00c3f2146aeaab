"""History: search sessions and patients; open a closed session's record or a patient's course.

Sessions load lazily, a page at a time, as the table scrolls (canFetchMore/fetchMore). A session
still in progress opens in the live Session screen (`open_session`); a closed one opens read-only
here. Every opening of a record or course is audited by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.services.patients import PatientRow
from companion.services.record_types import HistoryRow, Page, SessionFilters
from companion.storage.errors import StorageError
from companion.storage.models import INDICATION_LABELS, PHASE_LABELS, Indication, SessionStatus
from ui.context import AppContext
from ui.course_view import CourseView
from ui.forms import FieldMessage, make_table, named
from ui.record_view import RecordView, fit_columns
from ui.table_models import RowTableModel
from ui.util import hm, ymd

PAGE_SIZE = 100
NO_DATE = QDate(2000, 1, 1)  # the minimum of the date fields, shown as "Any"
_Index = QModelIndex | QPersistentModelIndex
# The table is narrow; the full label is in the indication filter and the record.
SHORT_INDICATION = {Indication.TRD: "TRD"}


def _status(r: HistoryRow) -> str:
    if r.status == SessionStatus.IN_PROGRESS:
        return f"In progress · {PHASE_LABELS[r.phase]}"
    return r.status.value.replace("_", " ").capitalize()


def _note(r: HistoryRow) -> str:
    if r.status == SessionStatus.ABANDONED:
        return "—"
    return {"signed": "Signed", "draft": "Draft (unsigned)"}.get(r.note_status or "", "None yet")


COLUMNS: list[tuple[str, Callable[[HistoryRow], str]]] = [
    ("Started", lambda r: f"{ymd(r.started_at)}  {hm(r.started_at)}"),
    ("Patient", lambda r: r.patient_name),
    ("Chart", lambda r: r.chart_number),
    ("Indication", lambda r: SHORT_INDICATION.get(r.indication, INDICATION_LABELS[r.indication])),
    ("Session", lambda r: f"#{r.number_in_course}"),
    ("Status", _status),
    ("Note", _note),
    ("Adverse events", lambda r: "Yes" if r.adverse_events else ""),
]


class SessionPageModel(RowTableModel[HistoryRow]):
    """History rows fetched a page at a time. Signals: load_failed(str)."""

    load_failed = Signal(str)

    def __init__(self, fetch: Callable[[int, int], Page[HistoryRow]] | None = None) -> None:
        super().__init__(COLUMNS)
        self._fetch = fetch
        self._has_more = False

    def reset(self, fetch: Callable[[int, int], Page[HistoryRow]] | None) -> None:
        """Start over with a new query; the first page is loaded at once."""
        self.beginResetModel()
        self._fetch, self._rows, self._has_more = fetch, [], fetch is not None
        self._rows = self._load_page()
        self.endResetModel()

    def _load_page(self) -> list[HistoryRow]:
        if self._fetch is None or not self._has_more:
            return []
        try:
            page = self._fetch(len(self._rows), PAGE_SIZE)
        except StorageError as exc:
            self._has_more = False
            self.load_failed.emit(f"{exc.problem} {exc.what_to_do}")
            return []
        self._has_more = page.has_more
        return list(page.rows)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._has_more

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid():
            return
        rows = self._load_page()
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()


def _date_field(object_name: str, accessible: str) -> QDateEdit:
    field = named(QDateEdit(), object_name, accessible)
    field.setCalendarPopup(True)
    field.setDisplayFormat("yyyy-MM-dd")
    field.setMinimumDate(NO_DATE)
    field.setSpecialValueText("Any")  # shown when the value is the minimum: no bound
    field.setDate(NO_DATE)
    return field


def _as_date(value: QDate) -> date | None:
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, time.min).astimezone()


class HistoryScreen(QWidget):
    """Signals: open_session(int) for a session still in progress (the live Session screen)."""

    open_session = Signal(int)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, pool: QThreadPool | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("history_screen")
        self._ctx = ctx
        self._record_return = 0  # the page "Back" on a record returns to (lists or course)

        title = QLabel("History")
        title.setProperty("role", "title")
        self.search = named(QLineEdit(), "history_search", "Filter sessions by patient")
        self.search.setPlaceholderText("Patient name or chart number…")
        self.search.setClearButtonEnabled(True)
        self.indication = named(QComboBox(), "history_indication", "Filter by indication")
        self.indication.addItem("Any indication", None)
        for ind, ind_label in INDICATION_LABELS.items():
            self.indication.addItem(ind_label, ind.value)
        self.date_from = _date_field("history_from", "Sessions from date")
        self.date_to = _date_field("history_to", "Sessions up to and including date")
        self.date_message = FieldMessage("history_date_message")
        self.adverse = named(
            QCheckBox("With adverse events"), "history_adverse", "Only sessions with adverse events"
        )
        self.unsigned = named(
            QCheckBox("Unsigned notes"), "history_unsigned", "Only sessions whose note is unsigned"
        )
        self.count_label = QLabel("")
        self.count_label.setObjectName("history_count")
        self.count_label.setProperty("role", "muted")
        self.model = SessionPageModel()
        self.model.load_failed.connect(self._show_load_error)
        self.view = make_table(self.model, "history_sessions", "Past sessions")
        fit_columns(self.view, stretch={1, 3, 5})
        self.view.activated.connect(lambda i: self.open_row(i.row()))
        self.open_button = named(QPushButton("Open"), "history_open", "Open the selected session")
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(lambda: self.open_row(self.view.currentIndex().row()))
        for signal in (
            self.search.textChanged,
            self.indication.currentIndexChanged,
            self.date_from.dateChanged,
            self.date_to.dateChanged,
            self.adverse.toggled,
            self.unsigned.toggled,
        ):
            signal.connect(self.refresh_sessions)

        row1 = QHBoxLayout()
        row1.addWidget(self.search, 2)
        row1.addWidget(self.indication, 1)
        row2 = QHBoxLayout()
        for caption, field in (("From", self.date_from), ("to", self.date_to)):
            label = QLabel(caption)
            label.setBuddy(field)
            row2.addWidget(label)
            row2.addWidget(field)
        row2.addSpacing(16)
        row2.addWidget(self.adverse)
        row2.addWidget(self.unsigned)
        row2.addStretch(1)
        row2.addWidget(self.count_label)
        row2.addWidget(self.open_button)
        sessions_tab = QWidget()
        s_layout = QVBoxLayout(sessions_tab)
        s_layout.addLayout(row1)
        s_layout.addLayout(row2)
        s_layout.addWidget(self.date_message)
        s_layout.addWidget(self.view, 1)

        self.patient_search = named(QLineEdit(), "history_patient_search", "Find patient")
        self.patient_search.setPlaceholderText("Patient name or chart number…")
        self.patient_search.setClearButtonEnabled(True)
        self.patient_search.textChanged.connect(self.refresh_patients)
        self.patients_model: RowTableModel[PatientRow] = RowTableModel(
            [
                ("Patient", lambda r: f"{r.family_name}, {r.given_name}"),
                ("Chart", lambda r: r.chart_number),
                ("Born", lambda r: r.date_of_birth.isoformat()),
                ("Indication", lambda r: INDICATION_LABELS[r.indication]),
                ("Completed treatments", lambda r: r.sessions_done),
            ]
        )
        self.patients_view = make_table(self.patients_model, "history_patients", "Patients")
        fit_columns(self.patients_view, stretch={0, 3})
        self.patients_view.activated.connect(lambda i: self.open_patient_row(i.row()))
        self.course_button = named(
            QPushButton("Open course"), "history_open_course", "Open the selected patient's course"
        )
        self.course_button.setProperty("primary", True)
        self.course_button.clicked.connect(
            lambda: self.open_patient_row(self.patients_view.currentIndex().row())
        )
        patients_tab = QWidget()
        p_layout = QVBoxLayout(patients_tab)
        p_row = QHBoxLayout()
        p_row.addWidget(self.patient_search, 1)
        p_row.addWidget(self.course_button)
        p_layout.addLayout(p_row)
        p_layout.addWidget(self.patients_view, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("history_tabs")
        self.tabs.setAccessibleName("Sessions or patients")
        self.tabs.addTab(sessions_tab, "Sessions")
        self.tabs.addTab(patients_tab, "Patients")
        lists = QWidget()
        l_layout = QVBoxLayout(lists)
        l_layout.setContentsMargins(0, 0, 0, 0)
        l_layout.addWidget(title)
        l_layout.addWidget(self.tabs, 1)

        self.pages = QStackedWidget()
        self.record_view = RecordView(ctx, pool=pool)
        self.record_view.back_requested.connect(
            lambda: self.pages.setCurrentIndex(self._record_return)
        )
        self.course_view = CourseView(ctx)
        self.course_view.back_requested.connect(self.show_lists)
        self.course_view.open_record.connect(
            lambda sid: self.open_session_id(sid, from_course=True)
        )
        for page in (lists, self.record_view, self.course_view):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.pages)

    # ---- queries ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresh_sessions()
        self.refresh_patients()

    def filters(self) -> SessionFilters | None:
        """The filters as entered, or None (with a message at the field) when they conflict."""
        start = _as_date(self.date_from.date())
        end = _as_date(self.date_to.date())
        if start is not None and end is not None and start > end:
            self.date_message.show_message("The “from” date is after the “to” date.")
            return None
        self.date_message.show_message("")
        value = self.indication.currentData()
        return SessionFilters(
            patient_text=self.search.text(),
            since=_local_midnight(start) if start is not None else None,
            until=_local_midnight(end + timedelta(days=1)) if end is not None else None,
            indication=Indication(value) if value else None,
            adverse_events_only=self.adverse.isChecked(),
            unsigned_only=self.unsigned.isChecked(),
        )

    def refresh_sessions(self) -> None:
        filters = self.filters()
        if filters is None:
            self.model.reset(None)
            self.count_label.setText("")
            return
        records = self._ctx.services.records
        try:
            total = records.count_sessions(filters)
        except StorageError as exc:
            self._show_load_error(f"{exc.problem} {exc.what_to_do}")
            return
        self.model.reset(lambda offset, limit: records.search_sessions(filters, offset, limit))
        self.count_label.setText(f"{total} session{'s' if total != 1 else ''}")

    def refresh_patients(self) -> None:
        try:
            rows = self._ctx.services.records.search_patients(self.patient_search.text())
        except StorageError as exc:
            self._show_load_error(f"{exc.problem} {exc.what_to_do}")
            return
        self.patients_model.set_rows(rows)

    def _show_load_error(self, message: str) -> None:
        self.count_label.setText("")
        self.date_message.show_message(message)

    # ---- navigation ---------------------------------------------------------------------------

    def show_lists(self) -> None:
        self.pages.setCurrentIndex(0)

    def open_row(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is None:
            return
        if found.status == SessionStatus.IN_PROGRESS:
            self.open_session.emit(found.id)
        else:
            self.open_session_id(found.id)

    def open_session_id(self, session_id: int, from_course: bool = False) -> None:
        """Show a session's read-only record in this screen."""
        if self.record_view.load(session_id):
            self._record_return = 2 if from_course else 0
            self.record_view.back_button.setText(
                "← Back to course" if from_course else "← Back to list"
            )
            self.pages.setCurrentWidget(self.record_view)

    def open_patient_row(self, row: int) -> None:
        found = self.patients_model.row_at(row)
        if found is not None and self.course_view.load(found.id):
            self.pages.setCurrentWidget(self.course_view)
