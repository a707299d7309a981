"""User text is never interpreted: markup in the record shows as the characters typed."""

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from db.obligations import ObligationFields
from db.vocabulary import Status
from gui.commands import AddAssessment, AddObligation
from gui.obligation_model import TITLE, ObligationTreeModel
from gui.obligation_panel import ObligationPanel
from gui.plain_text import confirm, show_error, tooltip

HOSTILE = '<img src="file:///etc/hostname"> <b>x</b>'


@pytest.fixture
def hostile_id(desk):
    fields = ObligationFields(ref="X-1", title=HOSTILE, text=f"Clause {HOSTILE}", deadline_note=HOSTILE)
    command = AddObligation(desk, None, 0, fields)
    assert desk.execute(command)
    assert desk.execute(
        AddAssessment(desk, command.obligation_id, date(2026, 1, 1), Status.MET, 3, "high", HOSTILE, HOSTILE)
    )
    return command.obligation_id


def test_the_detail_panel_shows_markup_literally(qtbot, desk, hostile_id):
    panel = ObligationPanel(desk)
    qtbot.addWidget(panel)
    panel.show_obligation(hostile_id)
    labels = panel.findChildren(QLabel)
    assert panel.title_label.text() == HOSTILE
    assert panel.title_label.textFormat() == Qt.TextFormat.PlainText
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    texts = [label.text() for label in labels]
    assert f"Clause {HOSTILE}" in texts
    assert HOSTILE in texts[texts.index("Deadline note") + 1 :]
    assert texts.count(HOSTILE) >= 3  # title, deadline note, rationale
    assert any(HOSTILE in text for text in texts if text.startswith("by "))  # assessed by


def test_tooltips_escape_user_text(desk, hostile_id):
    model = ObligationTreeModel()
    model.set_tree(desk.tree())
    tip = model.index_of(hostile_id, TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "<b>" not in tip
    assert "&lt;img src=&quot;file:///etc/hostname&quot;&gt; &lt;b&gt;x&lt;/b&gt;" in tip
    assert tooltip("a < b", "") == "<p>a &lt; b</p>"


def _answer_box(seen: dict, button=None):
    def answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.update(format=box.textFormat(), text=box.text())
        if button is None:
            box.accept()
        else:
            next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # offscreen, shown box
def test_message_boxes_are_plain_text(qtbot):
    seen = {}
    _answer_box(seen)
    show_error(None, f"Cannot save {HOSTILE}.")
    assert seen == {"format": Qt.TextFormat.PlainText, "text": f"Cannot save {HOSTILE}."}
    _answer_box(seen, "Delete")
    assert confirm(None, "Delete obligation", f"Delete {HOSTILE}?", "Delete")
    assert seen["format"] == Qt.TextFormat.PlainText
