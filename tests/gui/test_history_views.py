"""The audit trail, seen: the History tab of the selected obligation or event, and View ▸ Audit trail…"""

import csv
from dataclasses import replace

import pytest
from sqlmodel import select

from db.models import AuditEntry
from db.obligations import obligation_fields
from gui.commands import EditObligation
from gui.history_views import AuditTrailDialog
from tests.gui.helpers import find

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window(window, qtbot):
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    window.detail_tabs.setCurrentWidget(window.history)
    return window


def test_the_history_tab_reads_the_trail_only_when_shown(qtbot, desk, settings_folder, monkeypatch):
    """Behind the Details tab, as the window starts, the History tab reads nothing; shown, it reads once."""
    from gui import history_views
    from gui.main_window import MainWindow

    reads = []
    named_history = history_views.named_history
    monkeypatch.setattr(history_views, "named_history", lambda *args: reads.append(args) or named_history(*args))
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.tree.select(find(desk, "P1-D").id)
    _edit(desk, "P1-D", "Reviewed sanctions")
    assert reads == [] and window.detail_tabs.currentWidget() is window.panel
    window.detail_tabs.setCurrentWidget(window.history)
    assert [args[1:] for args in reads] == [("obligation", find(desk, "P1-D").id)]
    assert window.history.model.rows[0].action == "Edit P1-D"


def rows(model) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _edit(desk, ref: str, title: str) -> None:
    node = find(desk, ref)
    with desk.store.reading() as session:
        fields = obligation_fields(session, node.id)
    assert desk.execute(EditObligation(desk, node.id, replace(fields, title=title)))


def test_the_history_tab_follows_the_selected_obligation_and_its_edits(window, qtmodeltester):
    desk, history = window.desk, window.history
    window.tree.select(find(desk, "P1-D").id)
    before = history.model.rowCount()
    assert history.heading.text() == f"P1-D: {before} entries in the audit trail, newest first"
    _edit(desk, "P1-D", "Reviewed sanctions")
    desk.undo()
    shown = rows(history.model)
    assert len(shown) == before + 2
    assert [row[1:3] for row in shown[:2]] == [["tester", "Undo: Edit P1-D"], ["tester", "Edit P1-D"]]
    assert shown[1][3] == "changed: title: 'Review US sanctions against Taliban members' → 'Reviewed sanctions'"
    qtmodeltester.check(history.model)
    history.table.setCurrentIndex(history.model.index(1, 0))
    lines = history.detail.toPlainText().splitlines()
    assert lines[0].endswith(" — tester — Edit P1-D (update obligation)")
    assert lines[1:] == ["title: 'Review US sanctions against Taliban members' → 'Reviewed sanctions'"]


def test_the_history_tab_follows_the_selected_event(window, qtbot):
    log, history = window.event_log, window.history
    log.table.selectRow(0)
    event_id = log.selected_id()
    assert history.subject == ("event", event_id)
    assert history.heading.text().startswith("The event ")
    with window.desk.store.reading() as session:
        own = session.exec(select(AuditEntry).where(AuditEntry.row_id == event_id)).all()
    assert history.model.rowCount() >= len(own) > 0


def test_the_audit_trail_lists_filters_and_exports_every_entry(window, qtbot, qtmodeltester, monkeypatch, tmp_path):
    desk = window.desk
    _edit(desk, "P1-D", "=cmd|' /C calc'!A0")
    dialog = AuditTrailDialog(desk, window)
    qtbot.addWidget(dialog)
    with desk.store.reading() as session:
        total = len(session.exec(select(AuditEntry)).all())
    qtbot.waitUntil(lambda: dialog.count.text() == f"Showing {total:,} entries")
    assert dialog.model.rowCount() == total
    qtmodeltester.check(dialog.model)
    dialog.action.setText("Edit P1")
    qtbot.waitUntil(lambda: dialog.count.text() == "Showing 1 entry")
    assert rows(dialog.model)[0][2] == "Edit P1-D"
    dialog.since.setText("2020-02-30")
    assert dialog.count.text() == "From: '2020-02-30' is not a date: February 2020 has 29 days."
    dialog.since.setText("")
    qtbot.waitUntil(lambda: dialog.count.text() == "Showing 1 entry")
    target = tmp_path / "trail.csv"
    monkeypatch.setattr("gui.file_dialog.save_file_name", lambda *args, **kwargs: str(target))
    dialog.export_button.click()
    assert dialog.count.text() == f"Exported 1 entry to {target}"
    with target.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.reader(handle))
    assert exported[1][3] == "Edit P1-D" and "→ \"=cmd|' /C calc'!A0\"" in exported[1][7]


def test_the_audit_trail_is_in_the_view_menu(window, qtbot):
    window.audit_trail_action.trigger()
    dialog = window.findChild(AuditTrailDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
