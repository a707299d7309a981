"""Benchmark: how many SQL statements the window runs for a one-cell edit, an as-of change and an
agreement switch (every statement on the store's engine, the event log's background reads included).

Run by hand (not collected by pytest):  QT_QPA_PLATFORM=offscreen python tests/bench_statements.py [ROOT]
With ROOT, the code of another checkout is measured (e.g. the commit before the change) on the same
record: the example agreement, plus a second agreement of 20 obligations to switch to.
Target (issue 10): a third of the statements of the code before what-changed-said-once.
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if len(sys.argv) > 1:
    sys.path.insert(0, str(Path(sys.argv[1]).resolve()))
else:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from db.examples import create_database  # noqa: E402
from db.ids import new_id  # noqa: E402
from db.obligations import ObligationFields, add_obligation, create_agreement  # noqa: E402
from gui.commands import AddObligation  # noqa: E402, F401 (the window's commands load as the app's do)
from gui.desk import Desk  # noqa: E402
from gui.event_commands import InlineEditEvent  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402


def settle(app, window) -> None:
    """Until the window is idle: the event log's background reads collected, events processed."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        app.processEvents()
        if not window.event_log.filtering:
            break
        time.sleep(0.005)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    store = create_database(folder / "bench.sqlite", "doha-2020", user="bench")
    with store.writing("Add agreement") as session:
        other = new_id()
        create_agreement(session, "Joint Declaration", "JD", date(2020, 2, 29), "Kabul", agreement_id=other)
        for n in range(20):
            fields = ObligationFields(ref=f"JD-{n + 1}", title=f"Item {n + 1}")
            add_obligation(session, other, None, n, fields, new_id())
    counted = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: counted.append(args[2]))
    desk = Desk(store, as_of=date(2020, 4, 10))
    doha = desk.agreement_id if desk.agreement().label != "JD" else other
    desk.set_agreement(doha)
    window = MainWindow(desk)
    window.show()
    settle(app, window)
    with store.reading() as session:
        event_id = session.exec(text("SELECT id FROM event ORDER BY occurred_on LIMIT 1")).one()[0]

    def measure(name: str, action) -> None:
        settle(app, window)
        counted.clear()
        action()
        settle(app, window)
        print(f"{name:<20} {len(counted):>4} statements")
        if os.environ.get("SHOW_STATEMENTS"):
            for statement in counted:
                print("   ", " ".join(statement.split())[:150])

    measure("one-cell edit", lambda: desk.execute(InlineEditEvent(desk, event_id, {"fatalities": 7}, "Edit fatalities")))
    # A cell the compliance engine and the detail panel read: the event's obligations are judged again.
    measure("one-cell edit, notes", lambda: desk.execute(InlineEditEvent(desk, event_id, {"notes": "Corrected"}, "Edit notes")))
    measure("as-of change", lambda: desk.set_as_of(date(2020, 7, 14)))
    measure("agreement switch", lambda: desk.set_agreement(other))
    measure("switch back", lambda: desk.set_agreement(doha))
    window.close()
    desk.close()


if __name__ == "__main__":
    main()
