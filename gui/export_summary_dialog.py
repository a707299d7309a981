"""File > Export summary…: the report's choices (PDF or Word), the officer's own words, then the export
with progress and Cancel.

Painting the figures needs Qt widgets, so the export runs on the UI thread and keeps it alive between
pages; Cancel stops before the next page and leaves no file behind (gui.report_pdf). The officer's
assessment in words is kept per agreement in the settings, so the next report starts from it.
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from db.errors import UserError
from db.officer import officer
from db.report_content import EVENTS_ALL, EVENTS_LINKED, report_content
from db.values import check_text, sentence
from gui import file_dialog
from gui.date_edit import DateEdit
from gui.desk import Desk
from gui.plain_text import buddy_label, plain_label, show_error
from gui.report_docx import write_docx
from gui.report_pdf import ExportCancelled, write_report

PDF, WORD = "pdf", "docx"
FORMATS = {PDF: ("PDF", "PDF (*.pdf)"), WORD: ("Word (.docx)", "Word document (*.docx)")}


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int | None  # None for Word, which lays out its own pages


def summary_key(agreement_id: str | None) -> str:
    return f"report/summary/{agreement_id}"


class ExportSummaryDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.desk = desk
        self.settings = settings or QSettings()
        self.written: Written | None = None
        self.setWindowTitle("Export summary")
        self.as_of = DateEdit(desk.as_of)
        self.use_since = QCheckBox("Report changes since")
        self.use_since.setChecked(True)
        self.since = DateEdit(desk.as_of - timedelta(days=30))
        self.use_since.toggled.connect(self.since.setEnabled)
        self.events = QComboBox()
        self.events.addItem("Events linked to obligations", EVENTS_LINKED)
        self.events.addItem("All events", EVENTS_ALL)
        self.words = QPlainTextEdit(str(self.settings.value(summary_key(desk.agreement_id), "")))
        self.words.setPlaceholderText(
            "Your own assessment, in your words: shown on page 1 exactly as written, beside the findings."
        )
        self.words.setTabChangesFocus(True)
        self.words.setFixedHeight(110)
        self.prepared_by = plain_label(officer().label, wrap=False)
        self.prepared_by.setToolTip("Change it under Edit > Officer's name and unit…")
        self.marking = QLineEdit(str(self.settings.value("report/marking", "")))
        self.marking.setPlaceholderText("e.g. UNCLASSIFIED // FOR OFFICIAL USE ONLY")
        self.page_size = QComboBox()
        self.page_size.addItem("A4", "a4")
        self.page_size.addItem("Letter", "letter")
        self.page_size.setCurrentIndex(self.page_size.findData(self.settings.value("report/page_size", "a4")))
        self.format = QComboBox()
        for key, (label, _) in FORMATS.items():
            self.format.addItem(label, key)
        self.format.setCurrentIndex(max(0, self.format.findData(self.settings.value("report/format", PDF))))
        self.open_after = QCheckBox("Open the file when it is written")
        self.open_after.setChecked(True)
        folder = Path(str(self.settings.value("report/folder", Path.home())))
        agreement = desk.agreement()
        stem = (agreement.label if agreement else "summary").replace("/", "-")
        self.output = QLineEdit(str(folder / f"{stem} as of {desk.as_of.isoformat()}.{self.format.currentData()}"))
        self.format.currentIndexChanged.connect(self._format_changed)
        browse = QPushButton("Bro&wse…")
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
        form.addRow(buddy_label("Your &assessment", self.words), self.words)
        form.addRow("Prepared by", self.prepared_by)
        form.addRow("&Marking on every page", self.marking)
        form.addRow("Page &size", self.page_size)
        form.addRow("Fo&rmat", self.format)
        form.addRow(buddy_label("&File", self.output), output_row)
        form.addRow("", self.open_after)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Export")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(640, self.sizeHint().height())

    def _format_changed(self) -> None:
        path = Path(self.output.text().strip())
        if path.suffix.lower() in (".pdf", ".docx"):
            self.output.setText(str(path.with_suffix(f".{self.format.currentData()}")))

    def _browse(self) -> None:
        suffix = self.format.currentData()
        name = file_dialog.save_file_name(self, "Export summary", self.output.text(), FORMATS[suffix][1])
        if name:
            self.output.setText(name if name.lower().endswith(f".{suffix}") else f"{name}.{suffix}")

    def choices(self) -> dict:
        return {
            "as_of": self.as_of.date().toPython(),
            "since": self.since.date().toPython() if self.use_since.isChecked() else None,
            "events": self.events.currentData(),
            "words": self.words.toPlainText(),
            "marking": self.marking.text().strip(),
            "page_size": self.page_size.currentData(),
            "format": self.format.currentData(),
            "path": Path(self.output.text().strip()).expanduser(),
        }

    def _refusal(self, chosen: dict) -> str:
        if chosen["since"] is not None and chosen["since"] >= chosen["as_of"]:
            return "The 'changes since' date must come before the as-of date; choose an earlier one."
        try:
            check_text(chosen["words"], "your assessment")
        except ValueError as error:
            return sentence(str(error))
        return ""

    def export(self) -> Written | None:
        """Write the summary with a progress dialog; what was written, or None when refused or cancelled."""
        chosen = self.choices()
        refusal = self._refusal(chosen)
        if refusal:
            show_error(self, refusal)
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
                    session, self.desk.agreement_id, chosen["as_of"], chosen["since"], chosen["events"],
                    prepared_by=officer().label, officer_summary=chosen["words"],
                )  # fmt: skip
            if chosen["format"] == WORD:
                write_docx(content, chosen["path"], marking=chosen["marking"], page_size=chosen["page_size"])
                pages = None
            else:
                pages = write_report(content, chosen["path"], marking=chosen["marking"],
                                     page_size=chosen["page_size"], progress=step)  # fmt: skip
        except ExportCancelled:
            return None
        except UserError as error:
            show_error(self, str(error))
            return None
        finally:
            progress.close()
        self.settings.setValue(summary_key(self.desk.agreement_id), chosen["words"])
        self.settings.setValue("report/marking", chosen["marking"])
        self.settings.setValue("report/page_size", chosen["page_size"])
        self.settings.setValue("report/format", chosen["format"])
        self.settings.setValue("report/folder", str(chosen["path"].parent))
        self.written = Written(chosen["path"], pages)
        self.accept()
        return self.written
