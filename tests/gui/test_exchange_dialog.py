"""File ▸ Send to another desk… and Receive from another desk… (gui/exchange_dialog.py): the conflict shown
side by side, nothing written until every conflict has a choice, then the choice in the record and the views."""

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from db.bundle import export_bundle, read_bundle
from db.merge_report import Choice
from db.models import Obligation
from gui.desk import Desk
from gui.exchange_dialog import ReceiveDialog, receive_from_another_desk, send_to_another_desk
from gui.main_window import MainWindow
from tests.desks import desks_at, digest, obligations, retitle
from tests.gui.helpers import AS_OF
from tests.record_digest import store_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def at_b(qapp, qtbot, desk_templates, tmp_path, settings_folder):
    """Desk A's store, and desk B open in its window: (A, B's desk, B's window)."""
    a, b = desks_at(desk_templates, tmp_path)
    desk = Desk(b, as_of=AS_OF)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    yield a, desk, window
    a.close()
    desk.close()


@pytest.fixture(params=["file", "team database"])
def field_and_desk(request, qapp, qtbot, desk_templates, tmp_path, settings_folder):
    """Desk A's store (a file), and in its window desk B: another file, or a team database (the test server)."""
    if request.param == "file":
        yield request.getfixturevalue("at_b")
        return
    from db.examples import create_database
    from db.location import parse_location
    from db.store import Store

    cluster = request.getfixturevalue("pg_cluster")
    address = cluster.url("teamreceive")
    create_database(parse_location(address), "doha-2020", user="tester").close()
    field, _ = desks_at(desk_templates, tmp_path)
    desk = Desk(Store.open(address), as_of=AS_OF)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    yield field, desk, window
    field.close()
    desk.close()
    cluster.psql("DROP DATABASE teamreceive WITH (FORCE)")


def _file_menu(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    return [a.text() for a in menu.actions()]


def test_the_file_menu_sends_and_receives(at_b):
    _, desk, window = at_b
    assert {"Sen&d to another desk…", "Re&ceive from another desk…"} <= set(_file_menu(window))
    assert window.receive_action.isEnabled() and window.send_action.isEnabled()


def test_send_writes_a_bundle_off_the_ui_thread_and_says_where(qtbot, at_b, tmp_path):
    _, desk, window = at_b
    out = tmp_path / "to-headquarters.accord"
    work = send_to_another_desk(desk, window, out)
    qtbot.waitUntil(lambda: work.outcome is not None)
    assert work.outcome.text().startswith(f"Wrote {out}: ")
    assert read_bundle(out).manifest["who"] == desk.store.user
    work.outcome.close()


def _receive(qtbot, desk, window, path) -> ReceiveDialog:
    dialog = receive_from_another_desk(desk, window, path)
    qtbot.waitUntil(lambda: dialog.report is not None)
    return dialog


def test_a_conflict_is_shown_side_by_side_and_written_only_once_chosen(qtbot, field_and_desk, tmp_path):
    a, desk, window = field_and_desk
    obligation_id = obligations(a)[4]
    retitle(a, obligation_id, "Title <b>from</b> desk A")
    retitle(desk.store, obligation_id, "Title from desk B")
    out = tmp_path / "from-a.accord"
    export_bundle(a, out)
    before = store_digest(desk.store)
    seen = []
    desk.record_changed.connect(lambda changes, _initiator: seen.append(changes))
    dialog = _receive(qtbot, desk, window, out)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "changed on both desks (title)"
    assert dialog.mine_text.toPlainText() == "title: Title from desk B"
    assert dialog.theirs_text.toPlainText() == "title: Title <b>from</b> desk A"  # plain text, as typed
    assert not dialog.receive_button.isEnabled() and dialog.receive_button.text() == "Receive (1 to choose)"
    dialog.receive()  # nothing happens before a choice
    assert store_digest(desk.store) == before and seen == []
    dialog.choose(0, Choice.THEIRS)
    assert dialog.receive_button.isEnabled()
    with qtbot.waitSignal(dialog.received, timeout=20000):
        dialog.receive_button.click()
    with desk.store.reading() as session:
        assert session.get(Obligation, obligation_id).title == "Title <b>from</b> desk A"
    assert seen and seen[-1].everything
    assert isinstance(dialog.outcome, QMessageBox) and dialog.outcome.text().startswith("Received from-a.accord")
    assert desk.node(obligation_id).title == "Title <b>from</b> desk A"  # the tree reads it again
    dialog.outcome.close()


def test_a_refused_bundle_is_said_in_the_dialog_and_nothing_changes(qtbot, at_b, tmp_path):
    _, desk, window = at_b
    bad = tmp_path / "cut.accord"
    bad.write_bytes(b"PK\x03\x04 cut off")
    before = store_digest(desk.store)
    dialog = receive_from_another_desk(desk, window, bad)
    qtbot.waitUntil(lambda: "cannot be received" in dialog.summary.text())
    assert not dialog.receive_button.isEnabled()
    assert store_digest(desk.store) == before


def test_send_has_a_cancel_and_a_cancelled_send_leaves_no_file(qtbot, at_b, tmp_path):
    _, desk, window = at_b
    out = tmp_path / "never.accord"
    work = send_to_another_desk(desk, window, out)
    cancel = work.progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    cancel.click()  # the officer presses Cancel while the record is read
    qtbot.waitUntil(lambda: work.over, timeout=20000)
    assert work.outcome is None and work.message == "Sending was cancelled; never.accord was not written."
    assert list(tmp_path.glob("never*")) == []


def test_planning_a_receive_shows_progress_with_a_cancel_that_changes_nothing(qtbot, at_b, tmp_path):
    a, desk, window = at_b
    out = tmp_path / "from-a.accord"
    export_bundle(a, out)
    before = store_digest(desk.store)
    dialog = receive_from_another_desk(desk, window, out)
    cancel = dialog.work.progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    cancel.click()
    qtbot.waitUntil(lambda: dialog.work.over, timeout=20000)
    assert dialog.summary.text() == "Receiving from-a.accord was cancelled; nothing was changed."
    assert dialog.report is None and not dialog.receive_button.isEnabled()
    assert store_digest(desk.store) == before


def test_receiving_shows_progress_and_cancel_leaves_the_record_exactly_as_it_was(qtbot, at_b, tmp_path):
    a, desk, window = at_b
    obligation_id = obligations(a)[3]
    retitle(a, obligation_id, "Retitled on desk A")
    out = tmp_path / "from-a.accord"
    export_bundle(a, out)
    dialog = _receive(qtbot, desk, window, out)
    qtbot.waitUntil(lambda: dialog.work.over)
    before, kept = store_digest(desk.store), digest(desk.store)
    assert dialog.receive_button.isEnabled()
    dialog.receive_button.click()
    cancel = dialog.work.progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    cancel.click()
    qtbot.waitUntil(lambda: dialog.work.over, timeout=20000)
    assert dialog.summary.text().startswith("Receiving from-a.accord was cancelled; nothing was changed.")
    assert dialog.isVisible() and dialog.receive_button.isEnabled()
    assert store_digest(desk.store) == before and digest(desk.store) == kept
    with qtbot.waitSignal(dialog.received, timeout=20000):  # and received in full when not cancelled
        dialog.receive_button.click()
    with desk.store.reading() as session:
        assert session.get(Obligation, obligation_id).title == "Retitled on desk A"
    dialog.outcome.close()

