"""The event form: live validation with db.event_rules, OK disabled while invalid, plain text only."""

from datetime import date

import pytest

from gui.event_dialog import EventDialog
from tests.gui.helpers import find


def filled(desk) -> EventDialog:
    dialog = EventDialog(desk)
    dialog.edits["occurred_on"].setText("2020-03-10")
    dialog.event_type.setCurrentText("Prisoner release")
    dialog.edits["source_name"].setText("Afghan National Security Council")
    dialog.actors.setText("Afghan government; Taliban")
    return dialog


def test_a_complete_form_can_be_saved(qtbot, desk):
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    assert dialog.ok_button.isEnabled()
    dialog.add_link(find(desk, "P2-5").id, "supports")
    dialog.reliability.setCurrentIndex(dialog.reliability.findData("B"))
    dialog.credibility.setCurrentIndex(dialog.credibility.findData("2"))
    fields = dialog.fields()
    assert fields.occurred_on == date(2020, 3, 10)
    assert fields.actors == ["Afghan government", "Taliban"]
    assert fields.links == [(find(desk, "P2-5").id, "supports")]
    assert (fields.reliability, fields.credibility) == ("B", "2")


@pytest.mark.parametrize(
    ("name", "text", "field", "says"),
    [
        ("occurred_on", "2020-02-30", "occurred_on", "February 2020 has 29 days"),
        ("fatalities", "-1", "fatalities", "not a number of fatalities"),
        ("latitude", "95", "latitude", "not a latitude"),
    ],
)
def test_invalid_text_disables_ok_and_says_why(qtbot, desk, name, text, field, says):
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    dialog.edits[name].setText(text)
    assert not dialog.ok_button.isEnabled()
    assert says in dialog.problems[field].text()
    assert not dialog.problems[field].isHidden()
    dialog.edits[name].setText("2020-03-10" if name == "occurred_on" else "")
    assert dialog.ok_button.isEnabled()
    assert dialog.problems[field].isHidden()


def test_half_a_grade_disables_ok(qtbot, desk):
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    dialog.reliability.setCurrentIndex(dialog.reliability.findData("C"))
    assert not dialog.ok_button.isEnabled()
    assert "credibility" in dialog.problems["credibility"].text()
    dialog.credibility.setCurrentIndex(dialog.credibility.findData("3"))
    assert dialog.ok_button.isEnabled()


def test_the_required_fields_are_named(qtbot, desk):
    dialog = EventDialog(desk)
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    assert "date" in dialog.problems["occurred_on"].text()
    assert "source" in dialog.problems["source_name"].text()


def test_hostile_text_shows_literally(qtbot, desk):
    hostile = '<img src="file:///etc/hostname">'
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    dialog.edits["occurred_on"].setText(hostile)
    label = dialog.problems["occurred_on"]
    assert label.textFormat().name == "PlainText"
    assert "<img src=" in label.text()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_form_shows_and_paints(qtbot, desk, capfd):
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab()  # painting calls QWidget.metric(): no attribute may hide it
    assert "Error calling Python override" not in capfd.readouterr().err


def test_every_mnemonic_of_the_form_is_unique(qtbot, desk):
    """Found by typing into the form under Xvfb: Alt+N went to 'Accessed on' instead of Notes, and Alt+L
    pressed the Link button instead of reaching Location."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from gui.event_dialog import EventDialog

    dialog = EventDialog(desk)
    qtbot.addWidget(dialog)
    letters = [
        label.text()[label.text().index("&") + 1].lower()
        for label in dialog.findChildren(QLabel)
        if label.buddy() is not None and "&" in label.text()
    ] + [
        button.text()[button.text().index("&") + 1].lower()
        for button in dialog.findChildren(QAbstractButton)
        if "&" in button.text()
    ]
    assert len(letters) >= 14
    assert len(letters) == len(set(letters)), letters
