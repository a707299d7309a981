"""Keyboard use of every form: each Alt+letter does one thing, no label shows a literal "&", and every
date field takes a date typed whole over its selected text."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenu

from db.obligations import obligation_fields
from db.tree import list_actors
from gui.actors_dialog import ActorsDialog
from gui.agreement_dialog import AgreementDialog
from gui.assessment_dialog import AssessmentDialog
from gui.backup_dialog import RestoreDialog
from gui.connect_dialog import ConnectDialog
from gui.date_edit import DateEdit
from gui.event_dialog import EventDialog
from gui.export_summary_dialog import ExportSummaryDialog
from gui.history_views import AuditTrailDialog
from gui.main_window import MainWindow
from gui.obligation_dialog import ObligationDialog
from gui.officer import Officer, OfficerDialog
from gui.point_dialog import PointDialog
from gui.search_dialog import SearchDialog
from tests.gui.helpers import find

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _obligation(desk):
    node = find(desk, "P1-A.1")
    with desk.store.reading() as session:
        fields, actors = obligation_fields(session, node.id), list_actors(session)
    return ObligationDialog(
        None, heading="Edit P1-A.1", fields=fields, actors=actors, taken_refs=set(), known_refs={"P1-A.1"},
        signed_on=date(2020, 2, 29), default_date=desk.as_of,
    )  # fmt: skip


def _agreement(desk):
    from db.agreements import agreement_fields

    with desk.store.reading() as session:
        return AgreementDialog(None, agreement_fields(session, desk.agreement_id), list_actors(session))


DIALOGS = {
    "event": lambda desk, _settings: EventDialog(desk),
    "obligation": lambda desk, _settings: _obligation(desk),
    "assessment": lambda desk, _settings: AssessmentDialog(
        None, obligation="P1-A.1", as_of=desk.as_of, status="on_track", assessed_by="tester"
    ),
    "agreement": lambda _desk, _settings: AgreementDialog(None),
    "agreement's edit": lambda desk, _settings: _agreement(desk),
    "observation": lambda desk, _settings: PointDialog(
        None, kind="observation", noun="observation", metric="US troops", on=desk.as_of
    ),
    "target point": lambda desk, _settings: PointDialog(
        None, kind="target", noun="target point", metric="US troops", on=desk.as_of
    ),
    "Summary export": lambda desk, settings: ExportSummaryDialog(desk, None, settings),
    "Officer": lambda desk, settings: OfficerDialog(Officer("Farida Rahimi"), None, first_time=True),
    "Actors": lambda desk, _settings: ActorsDialog(desk),
    "Restore": lambda desk, _settings: RestoreDialog(desk),
    "Connect": lambda _desk, settings: ConnectDialog(None, settings),
    "Search": lambda desk, _settings: SearchDialog(desk, None),
    "Audit trail": lambda desk, _settings: AuditTrailDialog(desk, None),
}


def mnemonics(widget) -> list[tuple[str, str]]:
    """(letter, text) of every visible Alt+letter in the widget; a literal "&" shows as letter "literal"."""
    found = []
    texts = [(label.text(), label.buddy() is not None) for label in widget.findChildren(QLabel)]
    texts += [(button.text(), True) for button in widget.findChildren(QAbstractButton)]
    texts += [(box.title(), True) for box in widget.findChildren(QGroupBox)]
    for text, active in texts:
        plain = text.replace("&&", "")
        if "&" not in plain or text.startswith("<"):
            continue
        letter = plain[plain.index("&") + 1].casefold()
        found.append((letter if active else "literal", text))
    return found


@pytest.mark.parametrize("name", DIALOGS)
def test_every_mnemonic_of_a_dialog_is_unique(qtbot, desk, settings_folder, name):
    dialog = DIALOGS[name](desk, None)
    qtbot.addWidget(dialog)
    found = mnemonics(dialog)
    letters = [letter for letter, _text in found]
    assert "literal" not in letters, f"{name}: a label shows its '&': {found}"
    repeated = {letter for letter in letters if letters.count(letter) > 1}
    assert not repeated, f"{name}: {[f for f in found if f[0] in repeated]}"


@pytest.mark.parametrize("name", DIALOGS)
def test_every_date_field_takes_a_date_typed_whole(qtbot, desk, settings_folder, name):
    dialog = DIALOGS[name](desk, None)
    qtbot.addWidget(dialog)
    dialog.show()
    if name == "obligation":
        dialog.date_deadline.setChecked(True)  # its date field counts only for a deadline on a date
    for field in dialog.findChildren(DateEdit):
        field.setEnabled(True)
        field.setFocus()
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(field, "2020-04-10")
        QTest.keyClick(field, Qt.Key.Key_Tab)
        assert field.day() == date(2020, 4, 10), name


def test_the_menus_mnemonics_are_unique(qtbot, desk, settings_folder):
    window = MainWindow(desk)
    qtbot.addWidget(window)
    menus = [window.menuBar(), *window.menuBar().findChildren(QMenu)]
    for menu in menus:
        texts = [action.text() for action in menu.actions() if action.isVisible() and "&" in action.text()]
        letters = [t.replace("&&", "")[t.replace("&&", "").index("&") + 1].casefold() for t in texts]
        repeated = {letter for letter in letters if letters.count(letter) > 1}
        assert not repeated, f"{menu.title() or 'menu bar'}: {[t for t in texts if t]}"
