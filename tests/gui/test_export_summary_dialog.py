import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings

from gui.export_summary_dialog import ExportSummaryDialog

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def test_export_writes_the_chosen_report_and_remembers_choices(qtbot, desk, settings_folder, tmp_path):
    dialog = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2021, 9, 1))
    dialog.since.setDate(QDate(2020, 9, 1))
    dialog.marking.setText("SECRET // REL TO DESK")
    dialog.page_size.setCurrentIndex(dialog.page_size.findData("letter"))
    dialog.output.setText(str(tmp_path / "chief.pdf"))
    dialog.open_after.setChecked(False)
    assert dialog.export().path == tmp_path / "chief.pdf"
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "chief.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "SECRET // REL TO DESK" in text and "Status as of" in text and "2021-09-01" in text
    again = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(again)
    assert again.marking.text() == "SECRET // REL TO DESK"
    assert again.page_size.currentData() == "letter"


def test_since_after_as_of_is_refused(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("gui.export_summary_dialog.show_error", lambda _parent, message: messages.append(message))
    dialog = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2020, 1, 1))
    dialog.since.setDate(QDate(2020, 6, 1))
    dialog.output.setText(str(tmp_path / "x.pdf"))
    assert dialog.export() is None
    assert messages == ["The 'changes since' date must come before the as-of date; choose an earlier one."]
    assert not (tmp_path / "x.pdf").exists()
    assert dialog.choices()["since"] == date(2020, 6, 1)


def _dialog(qtbot, desk, tmp_path, name="chief.pdf"):
    dialog = ExportSummaryDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2021, 9, 1))
    dialog.since.setDate(QDate(2020, 9, 1))
    dialog.output.setText(str(tmp_path / name))
    dialog.open_after.setChecked(False)
    return dialog


def test_the_officers_words_are_shown_verbatim_and_kept_for_the_agreement(qtbot, desk, settings_folder, tmp_path):
    words = 'Releases lagged.\n<b>kept</b> & "literal" — as typed'
    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.words.setPlainText(words)
    written = dialog.export()
    assert written.pages >= 3
    first = subprocess.run(["pdftotext", "-l", "1", str(written.path), "-"], capture_output=True, text=True).stdout
    assert "Releases lagged." in first and '<b>kept</b> & "literal" — as typed' in first
    assert "Prepared by Farida Rahimi, Afghanistan desk" in " ".join(first.split())
    again = _dialog(qtbot, desk, tmp_path)
    assert again.words.toPlainText() == words  # kept for this agreement


def test_word_is_offered_beside_pdf(qtbot, desk, settings_folder, tmp_path):
    from docx import Document

    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    assert dialog.output.text().endswith("chief.docx")
    dialog.words.setPlainText("In my words.")
    written = dialog.export()
    assert (written.path.name, written.pages) == ("chief.docx", None)
    text = [p.text for p in Document(str(written.path)).paragraphs]
    assert "Key findings from the record" in text and "In my words." in text


def test_words_the_record_cannot_hold_are_refused(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("gui.export_summary_dialog.show_error", lambda _parent, message: messages.append(message))
    dialog = _dialog(qtbot, desk, tmp_path)
    dialog.words.setPlainText("a\x00b")
    assert dialog.export() is None
    assert messages == ["Your assessment holds a NUL character at position 2; remove it."]
    assert not (tmp_path / "chief.pdf").exists()
