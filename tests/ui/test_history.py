"""The history screen: the lazy session model, the filters, and opening records and courses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.roles import Actor
from companion.services import Services
from companion.storage.models import AuditEvent, Indication, SessionStatus
from tests.conftest import START
from tests.unit.export.factory import INTENTION, add_patient, make_session
from ui.context import AppContext
from ui.history import PAGE_SIZE, HistoryScreen, SessionPageModel

DAY = timedelta(days=1)


@pytest.fixture
def clinic(services: Services, physician: Actor, guide: Actor) -> dict[str, int]:
    zoe = add_patient(services, guide, "KC-100", "Zoë", "Dubois", Indication.DEPRESSION)
    mei = add_patient(services, guide, "KC-300", "Mei", "Nakamura", Indication.ANXIETY)
    return {
        "zoe": zoe,
        "mei": mei,
        "zoe1": make_session(services, zoe, physician, guide, START - 20 * DAY).session_id,
        "zoe2": make_session(
            services, zoe, physician, guide, START - 10 * DAY, number=2, adverse_observation=True
        ).session_id,
        "mei1": make_session(
            services, mei, physician, guide, START - 15 * DAY, note="draft"
        ).session_id,
        "mei_live": make_session(
            services,
            mei,
            physician,
            guide,
            START,
            number=2,
            note=None,
            full=False,
            status=SessionStatus.IN_PROGRESS,
        ).session_id,
    }


@pytest.fixture
def screen(qtbot: QtBot, ctx: AppContext, clinic: dict[str, int]) -> HistoryScreen:
    s = HistoryScreen(ctx)
    qtbot.addWidget(s)
    s.resize(1200, 760)
    s.show()
    s.refresh()
    return s


def _shown_ids(screen: HistoryScreen) -> list[int]:
    rows = [screen.model.row_at(i) for i in range(screen.model.rowCount())]
    return [r.id for r in rows if r is not None]


def test_session_model_passes_qtmodeltester(
    qtmodeltester: object, services: Services, physician: Actor, guide: Actor
) -> None:
    from companion.services.record_types import SessionFilters

    pid = add_patient(services, guide)
    for i in range(PAGE_SIZE + 20):
        make_session(services, pid, physician, guide, START - i * DAY, number=i + 1, full=False)
    model = SessionPageModel()
    model.reset(lambda o, n: services.records.search_sessions(SessionFilters(), o, n))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == PAGE_SIZE + 20  # the tester fetched the rest


def test_sessions_load_a_page_at_a_time_as_the_table_scrolls(
    qtbot: QtBot, screen: HistoryScreen, services: Services, physician: Actor, guide: Actor
) -> None:
    pid = add_patient(services, guide, "KC-777", "Paging", "Patient")
    for i in range(2 * PAGE_SIZE + 30):
        make_session(services, pid, physician, guide, START - i * DAY, number=i + 1, full=False)
    qtbot.keyClicks(screen.search, "KC-777")
    assert screen.model.rowCount() == PAGE_SIZE
    assert screen.count_label.text() == f"{2 * PAGE_SIZE + 30} sessions"
    assert screen.model.canFetchMore(QModelIndex())
    screen.view.scrollToBottom()
    qtbot.waitUntil(lambda: screen.model.rowCount() > PAGE_SIZE)
    screen.model.fetchMore(QModelIndex())
    screen.model.fetchMore(QModelIndex())
    assert screen.model.rowCount() == 2 * PAGE_SIZE + 30
    assert not screen.model.canFetchMore(QModelIndex())
    ids = _shown_ids(screen)
    assert len(ids) == len(set(ids))


def test_filters_find_what_they_should(
    qtbot: QtBot, screen: HistoryScreen, clinic: dict[str, int]
) -> None:
    c = clinic
    assert set(_shown_ids(screen)) == {c["zoe1"], c["zoe2"], c["mei1"], c["mei_live"]}
    assert _shown_ids(screen)[0] == c["mei_live"]  # newest first
    qtbot.keyClicks(screen.search, "zoe")  # finds "Zoë": accents are folded
    assert _shown_ids(screen) == [c["zoe2"], c["zoe1"]]
    screen.search.clear()
    screen.search.insert("DUBOÏS")
    assert _shown_ids(screen) == [c["zoe2"], c["zoe1"]]
    screen.search.clear()
    qtbot.mouseClick(screen.adverse, Qt.MouseButton.LeftButton)
    assert _shown_ids(screen) == [c["zoe2"]]
    qtbot.mouseClick(screen.adverse, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.unsigned, Qt.MouseButton.LeftButton)
    assert _shown_ids(screen) == [c["mei_live"], c["mei1"]]
    qtbot.mouseClick(screen.unsigned, Qt.MouseButton.LeftButton)
    screen.indication.setCurrentIndex(screen.indication.findData(Indication.ANXIETY.value))
    assert _shown_ids(screen) == [c["mei_live"], c["mei1"]]
    screen.indication.setCurrentIndex(0)
    day = (START - 15 * DAY).astimezone().date()
    screen.date_from.setDate(QDate(day.year, day.month, day.day))
    screen.date_to.setDate(QDate(day.year, day.month, day.day))
    assert _shown_ids(screen) == [c["mei1"]]
    assert screen.count_label.text() == "1 session"


def test_a_from_date_after_the_to_date_is_refused_at_the_field(
    screen: HistoryScreen,
) -> None:
    screen.date_from.setDate(QDate(2026, 3, 10))
    screen.date_to.setDate(QDate(2026, 3, 1))
    assert screen.date_message.isVisible()
    assert "after" in screen.date_message.text()
    assert screen.model.rowCount() == 0 and screen.count_label.text() == ""
    screen.date_from.setDate(QDate(2026, 2, 1))
    assert not screen.date_message.isVisible() and screen.model.rowCount() == 3


def test_date_fields_start_as_any_and_bound_whole_local_days(screen: HistoryScreen) -> None:
    assert screen.date_from.text() == "Any" and screen.date_to.text() == "Any"
    open_ended = screen.filters()
    assert open_ended is not None and open_ended.since is None and open_ended.until is None
    screen.date_from.setDate(QDate(2026, 3, 1))
    screen.date_to.setDate(QDate(2026, 3, 1))
    bounded = screen.filters()
    assert bounded is not None and bounded.since is not None and bounded.until is not None
    assert bounded.since == datetime(2026, 3, 1).astimezone()
    assert bounded.until - bounded.since == timedelta(days=1)  # "to" includes its whole day


def test_opening_a_closed_session_shows_its_record_and_is_audited(
    qtbot: QtBot, screen: HistoryScreen, clinic: dict[str, int], services: Services, guide: Actor
) -> None:
    row = _shown_ids(screen).index(clinic["zoe2"])
    screen.view.selectRow(row)
    qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentWidget() is screen.record_view
    assert any(INTENTION in label.text() for label in screen.record_view.findChildren(QLabel))
    with services.db.transaction() as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all()
        assert [(v.actor_id, v.session_id) for v in views] == [(guide.id, clinic["zoe2"])]
    qtbot.mouseClick(screen.record_view.back_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == 0


def test_a_session_in_progress_opens_the_live_screen(
    qtbot: QtBot, screen: HistoryScreen, clinic: dict[str, int]
) -> None:
    row = _shown_ids(screen).index(clinic["mei_live"])
    with qtbot.waitSignal(screen.open_session) as opened:
        screen.view.selectRow(row)
        qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [clinic["mei_live"]]
    assert screen.pages.currentIndex() == 0


def test_patients_tab_opens_the_course_and_a_session_from_it(
    qtbot: QtBot, screen: HistoryScreen, clinic: dict[str, int]
) -> None:
    screen.tabs.setCurrentIndex(1)
    qtbot.keyClicks(screen.patient_search, "zoe")
    assert screen.patients_model.rowCount() == 1
    screen.patients_view.selectRow(0)
    qtbot.mouseClick(screen.course_button, Qt.MouseButton.LeftButton)
    course = screen.course_view
    assert screen.pages.currentWidget() is course
    assert course.treatments.text() == "2 completed treatments of 2 sessions"
    assert "Zoë Dubois" in course.title.text()
    assert [course.model.index(r, 3).data() for r in range(2)] == ["PHQ-9 14", "PHQ-9 14"]
    assert course.model.index(0, 4).data() == "3 → 7"
    assert course._scores_plot is not None and course._scores_plot.series[0].points == (
        (1.0, 14.0),
        (2.0, 14.0),
    )
    course.view.selectRow(1)
    qtbot.mouseClick(course.open_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentWidget() is screen.record_view
    assert screen.record_view.record is not None
    assert screen.record_view.record.id == clinic["zoe2"]
    assert screen.record_view.back_button.text() == "← Back to course"
    qtbot.mouseClick(screen.record_view.back_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentWidget() is course
    qtbot.mouseClick(course.back_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == 0
