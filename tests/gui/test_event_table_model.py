"""The event log's table model: Qt's model rules, paging, and sorting and filtering in the database."""

from datetime import date

from PySide6.QtCore import QModelIndex, Qt

from db.event_log import EventFilter, count_events
from gui.event_table_model import DATE, FATALITIES, GRADE, PAGE_ROWS, SOURCE, EventTableModel
from tests.gui.event_helpers import make_events


def test_model_passes_qtmodeltester(qtmodeltester, desk):
    model = EventTableModel(desk)
    assert model.rowCount() == 23
    qtmodeltester.check(model, force_py=True)


def test_rows_are_read_a_page_at_a_time(desk):
    make_events(desk.store, 2 * PAGE_ROWS + 100)
    model = EventTableModel(desk)
    total = 2 * PAGE_ROWS + 100 + 23
    assert model.total == total
    assert model.rowCount() == PAGE_ROWS
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_ROWS
    model.fetchMore(QModelIndex())
    assert model.rowCount() == total
    assert not model.canFetchMore(QModelIndex())
    assert len({model.event_id(row) for row in range(total)}) == total  # pages never overlap


def test_sorting_asks_the_database(desk):
    make_events(desk.store, 30)
    model = EventTableModel(desk)
    model.sort(FATALITIES, Qt.SortOrder.DescendingOrder)
    assert model.index(0, FATALITIES).data() == "29"
    model.sort(SOURCE, Qt.SortOrder.AscendingOrder)
    sources = [model.index(row, SOURCE).data() for row in range(model.rowCount())]
    assert sources == sorted(sources)
    model.sort(DATE, Qt.SortOrder.DescendingOrder)
    assert model.index(0, DATE).data() >= model.index(model.rowCount() - 1, DATE).data()


def test_filter_asks_the_database(desk):
    make_events(desk.store, 60)
    model = EventTableModel(desk)
    model.set_filter(EventFilter(text="generated 4"))
    with desk.store.reading() as session:
        expected = count_events(session, EventFilter(text="generated 4"))
    assert model.rowCount() == model.total == expected == 11  # 4, 40–49
    model.set_filter(EventFilter(reliability="B", credibility="2", date_from=date(2021, 1, 1)))
    assert {model.index(row, GRADE).data() for row in range(model.rowCount())} == {"B2"}
    model.set_filter(EventFilter())
    assert model.total == 83


def test_hostile_notes_stay_text(desk):
    make_events(desk.store, 1, note='<img src="file:///etc/hostname">')
    model = EventTableModel(desk)
    model.set_filter(EventFilter(text="<img"))
    assert model.index(0, 8).data() == '<img src="file:///etc/hostname"> 0'
    assert "&lt;img" in model.index(0, 8).data(Qt.ItemDataRole.ToolTipRole)
