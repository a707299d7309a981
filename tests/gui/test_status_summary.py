from datetime import date

from gui.desk import Desk
from gui.status_summary import StatusSummary


def test_counts_per_party_follow_the_as_of_date(qtbot, example_store):
    desk = Desk(example_store, as_of=date(2020, 3, 11))
    strip = StatusSummary(desk)
    qtbot.addWidget(strip)
    headers = [strip.cell(0, c) for c in range(strip.grid.columnCount())]
    assert headers[0] == "As of 2020-03-11"
    overdue = headers.index("! Overdue")
    parties = {strip.cell(r, 0): r for r in range(1, strip.grid.rowCount())}
    assert list(parties)[:2] == ["Taliban", "United States"]  # signatories first
    assert strip.cell(parties["Taliban"], overdue) == "2"  # Intro-3 and P1-C.2
    desk.set_as_of(date(2021, 9, 1))
    headers = [strip.cell(0, c) for c in range(strip.grid.columnCount())]
    assert headers[0] == "As of 2021-09-01"
    assert "✓ Met late" in headers
