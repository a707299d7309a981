"""File > Export PDF summary…: the report's choices, then the export with progress and Cancel.

Painting the figures needs Qt widgets, so the export runs on the UI thread and keeps it alive between
pages; Cancel stops before the next page and leaves no file behind (gui.report_pdf).
"""

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from db.errors import UserError
from db.report_content import EVENTS_ALL, EVENTS_LINKED, report_content
from gui import file_dialog
from gui.date_edit import DateEdit
from gui.desk import Desk
from gui.plain_text import buddy_label, show_error
from gui.report_pdf import ExportCancelled, write_report


class ExportPdfDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.desk = desk
        self.settings = settings or QSettings()
        self.setWindowTitle("Export PDF summary")
        self.as_of = DateEdit(desk.as_of)
        self.use_since = QCheckBox("Report changes since")
        self.use_since.setChecked(True)
        self.since = DateEdit(desk.as_of - timedelta(days=30))
        self.use_since.toggled.connect(self.since.setEnabled)
        self.events = QComboBox()
        self.events.addItem("Events linked to obligations", EVENTS_LINKED)
        self.events.addItem("All events", EVENTS_ALL)
        self.marking = QLineEdit(str(self.settings.value("report/marking", "")))
        self.marking.setPlaceholderText("e.g. UNCLASSIFIED // FOR OFFICIAL USE ONLY")
        self.page_size = QComboBox()
        self.page_size.addItem("A4", "a4")
        self.page_size.addItem("Letter", "letter")
        self.page_size.setCurrentIndex(self.page_size.findData(self.settings.value("report/page_size", "a4")))
        self.open_after = QCheckBox("Open the PDF when it is written")
        self.open_after.setChecked(True)
        folder = Path(str(self.settings.value("report/folder", Path.home())))
        agreement = desk.agreement()
        stem = (agreement.label if agreement else "summary").replace("/", "-")
        self.output = QLineEdit(str(folder / f"{stem} as of {desk.as_of.isoformat()}.pdf"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output, 1)
        output_row.addWidget(browse)
        since_row = QHBoxLayout()
        since_row.addWidget(self.use_since)
        since_row.addWidget(self.since, 1)

        form = QFormLayout(self)
        form.addRow("Status as &of", self.as_of)
        form.addRow("", since_row)
        form.addRow("&Chronology", self.events)
        form.addRow("&Marking on every page", self.marking)
        form.addRow("Page &size", self.page_size)
        form.addRow(buddy_label("&File", self.output), output_row)
        form.addRow("", self.open_after)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(620, self.sizeHint().height())

    def _browse(self) -> None:
        name = file_dialog.save_file_name(self, "Export PDF summary", self.output.text(), "PDF (*.pdf)")
        if name:
            self.output.setText(name if name.lower().endswith(".pdf") else f"{name}.pdf")

    def choices(self) -> dict:
        return {
            "as_of": self.as_of.date().toPython(),
            "since": self.since.date().toPython() if self.use_since.isChecked() else None,
            "events": self.events.currentData(),
            "marking": self.marking.text().strip(),
            "page_size": self.page_size.currentData(),
            "path": Path(self.output.text().strip()).expanduser(),
        }

    def export(self) -> Path | None:
        """Write the PDF with a progress dialog; the path written, or None when refused or cancelled."""
        chosen = self.choices()
        if chosen["since"] is not None and chosen["since"] >= chosen["as_of"]:
            show_error(
                self, "The 'changes since' date must come before the as-of date; choose an earlier one."
            )
            return None
        progress = QProgressDialog("Painting the summary…", "Cancel", 0, 1, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            with self.desk.store.reading() as session:
                content = report_content(
                    session, self.desk.agreement_id, chosen["as_of"], chosen["since"], chosen["events"]
                )
            write_report(
                content,
                chosen["path"],
                marking=chosen["marking"],
                page_size=chosen["page_size"],
                progress=step,
            )
        except ExportCancelled:
            return None
        except UserError as error:
            show_error(self, str(error))
            return None
        finally:
            progress.close()
        self.settings.setValue("report/marking", chosen["marking"])
        self.settings.setValue("report/page_size", chosen["page_size"])
        self.settings.setValue("report/folder", str(chosen["path"].parent))
        if self.open_after.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(chosen["path"])))
        self.accept()
        return chosen["path"]
