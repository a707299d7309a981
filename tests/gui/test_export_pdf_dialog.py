import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings

from gui.export_pdf_dialog import ExportPdfDialog

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def test_export_writes_the_chosen_report_and_remembers_choices(qtbot, desk, settings_folder, tmp_path):
    dialog = ExportPdfDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2021, 9, 1))
    dialog.since.setDate(QDate(2020, 9, 1))
    dialog.marking.setText("SECRET // REL TO DESK")
    dialog.page_size.setCurrentIndex(dialog.page_size.findData("letter"))
    dialog.output.setText(str(tmp_path / "chief.pdf"))
    dialog.open_after.setChecked(False)
    assert dialog.export() == tmp_path / "chief.pdf"
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "chief.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "SECRET // REL TO DESK" in text and "Status as of" in text and "2021-09-01" in text
    again = ExportPdfDialog(desk, settings=QSettings())
    qtbot.addWidget(again)
    assert again.marking.text() == "SECRET // REL TO DESK"
    assert again.page_size.currentData() == "letter"


def test_since_after_as_of_is_refused(qtbot, desk, settings_folder, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("gui.export_pdf_dialog.show_error", lambda _parent, message: messages.append(message))
    dialog = ExportPdfDialog(desk, settings=QSettings())
    qtbot.addWidget(dialog)
    dialog.as_of.setDate(QDate(2020, 1, 1))
    dialog.since.setDate(QDate(2020, 6, 1))
    dialog.output.setText(str(tmp_path / "x.pdf"))
    assert dialog.export() is None
    assert messages == ["The 'changes since' date must come before the as-of date; choose an earlier one."]
    assert not (tmp_path / "x.pdf").exists()
    assert dialog.choices()["since"] == date(2020, 6, 1)
