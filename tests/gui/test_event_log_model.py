"""The event log's table model: Qt's model rules, paging, and sorting and filtering in the database —
each read by a LogRead in a worker thread, as the view reads it; the model itself never reads."""

import threading
from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import event

from db.event_log import EventFilter, count_events
from gui.event_log_model import DATE, FATALITIES, GRADE, NOTES, PAGE_ROWS, SOURCE, EventLogModel
from tests.gui.event_helpers import loaded_model, make_events


def test_model_passes_qtmodeltester(qtmodeltester, qtbot, desk):
    qtmodeltester.check(EventLogModel(), force_py=True)  # before its first read: empty
    model = loaded_model(qtbot, desk.store)
    assert model.rowCount() == 23
    qtmodeltester.check(model, force_py=True)


def test_nothing_is_read_on_the_ui_thread(qtbot, desk):
    make_events(desk.store, PAGE_ROWS + 10)
    threads: list[int] = []
    event.listen(desk.store.engine, "before_cursor_execute", lambda *args: threads.append(threading.get_ident()))
    model = loaded_model(qtbot, desk.store)
    model.fetchMore(QModelIndex())
    model.reader.wait()
    model.sort(FATALITIES, Qt.SortOrder.DescendingOrder)
    model.reader.wait()
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            model.index(row, column).data()
    assert model.rowCount() == PAGE_ROWS and model.index(0, FATALITIES).data() == f"{PAGE_ROWS + 9:,}"
    assert threads and threading.get_ident() not in threads


def test_rows_are_read_a_page_at_a_time(qtbot, desk):
    make_events(desk.store, 2 * PAGE_ROWS + 100)
    model = loaded_model(qtbot, desk.store)
    total = 2 * PAGE_ROWS + 100 + 23
    assert model.total == total
    assert model.rowCount() == PAGE_ROWS
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # asked again while the page is read: one page comes
    model.reader.wait()
    assert model.rowCount() == 2 * PAGE_ROWS
    model.fetchMore(QModelIndex())
    model.reader.wait()
    assert model.rowCount() == total
    assert not model.canFetchMore(QModelIndex())
    assert len({model.event_id(row) for row in range(total)}) == total  # pages never overlap


def test_sorting_asks_the_database(qtbot, desk):
    make_events(desk.store, 30)
    model = loaded_model(qtbot, desk.store)
    with qtbot.waitSignal(model.modelReset):
        model.sort(FATALITIES, Qt.SortOrder.DescendingOrder)
    assert model.index(0, FATALITIES).data() == "29"
    with qtbot.waitSignal(model.modelReset):
        model.sort(SOURCE, Qt.SortOrder.AscendingOrder)
    sources = [model.index(row, SOURCE).data() for row in range(model.rowCount())]
    assert sources == sorted(sources)
    with qtbot.waitSignal(model.modelReset):
        model.sort(DATE, Qt.SortOrder.DescendingOrder)
    assert model.index(0, DATE).data() >= model.index(model.rowCount() - 1, DATE).data()


def test_filter_asks_the_database(qtbot, desk):
    make_events(desk.store, 60)
    model = loaded_model(qtbot, desk.store, EventFilter(text="generated 4"))
    with desk.store.reading() as session:
        expected = count_events(session, EventFilter(text="generated 4"))
    assert model.rowCount() == model.total == expected == 11  # 4, 40–49
    model.reader.read(EventFilter(reliability="B", credibility="2", date_from=date(2021, 1, 1)))
    assert {model.index(row, GRADE).data() for row in range(model.rowCount())} == {"B2"}
    model.reader.read(EventFilter())
    assert model.total == 83


def test_a_stale_result_is_dropped(qtbot, desk):
    model = loaded_model(qtbot, desk.store)
    stale = model.generation
    model.begin_read()  # a newer read started
    assert not model.show_result(stale, EventFilter(text="x"), [], 0)
    assert model.rowCount() == 23 and model.event_filter == EventFilter()


def test_hostile_notes_stay_text(qtbot, desk):
    make_events(desk.store, 1, note='<img src="file:///etc/hostname">')
    model = loaded_model(qtbot, desk.store, EventFilter(text="<img"))
    assert model.index(0, NOTES).data() == '<img src="file:///etc/hostname"> 0'
    assert "&lt;img" in model.index(0, NOTES).data(Qt.ItemDataRole.ToolTipRole)
