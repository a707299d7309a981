"""File > Export summary…: the report's choices (PDF or Word), the officer's own words, then the export
with progress and Cancel.

The record is read and the pages laid out in a worker thread (gui/background.py). The figures are the
window's own pyqtgraph plot, which only the UI thread may build: they are recorded (QPicture) a step of a
few tens of ms per turn of its event loop. The pages are then painted, or the Word document written, in a
worker thread again, and the window stays responsive throughout. Cancel stops the layout at its next
block, the figures at their next step, the painting at its next page, and leaves no file behind
(gui.report_pdf.PdfReport, gui.report_docx.write_docx). One reading of the record stays open from the
first worker to the end of the second: the chronology is read as the pages are laid out and painted (never
held whole), from the snapshot the rest of the report came from. The officer's assessment in words is kept per
agreement in the record, a version each time it changes (db.officer_words), so the next report starts
from it and the earlier words stay in its history.
"""

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from db.errors import ExportCancelled, UserError
from db.officer import officer
from db.officer_words import words_history
from db.report_content import EVENTS_ALL, EVENTS_LINKED, ReportContent, report_content
from db.values import check_text, sentence
from gui import file_dialog
from gui.background import Background, hold_collections, release_collections
from gui.commands import SaveOfficerWords
from gui.date_edit import DateEdit
from gui.desk import Desk
from gui.plain_text import buddy_label, plain_label, show_error
from gui.report_pdf import PdfReport
from gui.trajectory_plot import FigurePictures

PDF, WORD = "pdf", "docx"
FORMATS = {PDF: ("PDF", "PDF (*.pdf)"), WORD: ("Word (.docx)", "Word document (*.docx)")}


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int | None  # None for Word, which lays out its own pages



class ExportSummaryDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.desk = desk
        self.settings = settings or QSettings()
        self.written: Written | None = None
        self.background = Background(self)
        self._report: PdfReport | None = None
        self._reading = ExitStack()  # the export's reading of the record, open until the file is written
        self._figures = None  # the figures being recorded on the UI thread: an iterator of steps
        self._cancelled = False
        self._latest = (0, 0)  # (done, total) pages, as the worker painting them last said
        self._ticker = QTimer(self)  # shows the worker's progress
        self._ticker.setInterval(50)
        self._ticker.timeout.connect(self._show_progress)
        self.setWindowTitle("Export summary")
        self.as_of = DateEdit(desk.as_of)
        self.use_since = QCheckBox("Report changes since")
        self.use_since.setChecked(True)
        self.since = DateEdit(desk.as_of - timedelta(days=30))
        self.use_since.toggled.connect(self.since.setEnabled)
        self.events = QComboBox()
        self.events.addItem("Events linked to obligations", EVENTS_LINKED)
        self.events.addItem("All events", EVENTS_ALL)
        with desk.store.reading() as session:
            self.versions = words_history(session, desk.agreement_id) if desk.agreement_id else []
        self.words = QPlainTextEdit(self.versions[0].text if self.versions else "")
        self.words.setPlaceholderText(
            "Your own assessment, in your words: shown on page 1 exactly as written, beside the findings."
        )
        self.words.setTabChangesFocus(True)
        self.words.setFixedHeight(110)
        if (refusal := desk.refusal()) is not None:  # the words are the agreement's: shown, not changed
            self.words.setReadOnly(True)
            self.words.setToolTip(refusal)
        # The record keeps every version: an earlier one can be taken up again (it is saved anew).
        self.earlier = QComboBox()
        self.earlier.addItem("The newest" if self.versions else "None kept yet", None)
        for version in self.versions[1:]:
            when = version.written_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.earlier.addItem(f"{when} — {version.written_by}", version.text)
        self.earlier.setEnabled(len(self.versions) > 1 and not self.words.isReadOnly())
        self.earlier.activated.connect(self._take_up_version)
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
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress_label = plain_label(wrap=False)
        self.progress_label.setVisible(False)

        form = QFormLayout(self)
        form.addRow("Status as &of", self.as_of)
        form.addRow("", since_row)
        form.addRow("&Chronology", self.events)
        form.addRow(buddy_label("Your &assessment", self.words), self.words)
        form.addRow(buddy_label("Earlier &versions", self.earlier), self.earlier)
        form.addRow("Prepared by", self.prepared_by)
        form.addRow("&Marking on every page", self.marking)
        form.addRow("Page &size", self.page_size)
        form.addRow("Fo&rmat", self.format)
        form.addRow(buddy_label("&File", self.output), output_row)
        form.addRow("", self.open_after)
        form.addRow(self.progress_label)
        form.addRow(self.progress)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Export")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.cancel)
        form.addRow(self.buttons)
        self._choices = [self.as_of, self.use_since, self.since, self.events, self.words, self.earlier,
                         self.marking, self.page_size, self.format, self.output, browse, self.open_after]  # fmt: skip
        self.resize(640, self.sizeHint().height())

    def _take_up_version(self, index: int) -> None:
        text = self.earlier.itemData(index)
        self.words.setPlainText(self.versions[0].text if text is None else text)

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

    @property
    def exporting(self) -> bool:
        return self.background.busy or self._figures is not None

    def export(self) -> bool:
        """Start writing the summary; False when refused. The dialog is accepted once the file is whole
        (then `written` says where it is); Cancel, a refusal or a failure keep it open."""
        if self.exporting:
            return False
        chosen = self.choices()
        refusal = self._refusal(chosen)
        report = None
        try:
            if refusal:
                raise UserError(refusal)
            if chosen["format"] == PDF:  # the temporary file beside the destination, opened here
                report = PdfReport(chosen["path"], chosen["marking"], chosen["page_size"])
        except UserError as error:
            show_error(self, str(error))
            return False
        self._report, self._cancelled = report, False
        hold_collections(self)  # from the first job to the last, with the figures between
        self._busy(True, "Reading the record and laying out the pages…")
        store, agreement_id, label = self.desk.store, self.desk.agreement_id, officer().label

        reading = self._reading

        def assemble() -> tuple[ReportContent, FigurePictures]:  # in a worker thread: the record, the layout
            session = reading.enter_context(store.reading())  # closed by _finished or _failed
            content = report_content(
                session, agreement_id, chosen["as_of"], chosen["since"], chosen["events"],
                prepared_by=label, officer_summary=chosen["words"],
            )  # fmt: skip
            if report is not None:
                report.lay_out(content, stop=lambda: self._cancelled)
                return content, report.figures
            from gui.report_docx import docx_figures  # python-docx (a fifth of start-up) imported here too

            return content, docx_figures(content)

        self.background.run(assemble, lambda assembled: self._assembled(*assembled, chosen), self._failed)
        return True

    def _assembled(self, content: ReportContent, figures: FigurePictures, chosen: dict) -> None:
        if self._cancelled:
            return self._failed(ExportCancelled())
        self._figures = figures.steps()
        self.progress.setRange(0, max(1, len(figures.metrics)))
        self.progress.setValue(0)
        self._step_later(content, figures, chosen)

    def _record_next(self, content: ReportContent, figures: FigurePictures, chosen: dict) -> None:
        """A step of a figure on the UI thread (the plot is a widget's), then back to the event loop."""
        if self._figures is None:
            return
        if self._cancelled:
            self._figures.close()
            return self._failed(ExportCancelled())
        try:
            recorded = next(self._figures)
        except StopIteration:
            self._figures = None
            return self._write(content, figures, chosen)
        self.progress.setValue(recorded)
        self.progress_label.setText(f"Drawing figure {min(recorded + 1, len(figures.metrics)):,} of {len(figures.metrics):,}…")
        self._step_later(content, figures, chosen)

    def _step_later(self, content: ReportContent, figures: FigurePictures, chosen: dict) -> None:
        """The next step on a timer of its own, due after the window's other timers: a zero timer is a posted
        event, run with the one before it in a single turn of the event loop (two steps, 75 ms, a stall)."""
        QTimer.singleShot(1, self, lambda: self._record_next(content, figures, chosen))

    def _write(self, content: ReportContent, figures: FigurePictures, chosen: dict) -> None:
        """The pages painted, or the Word document written, in a worker thread; then the file put in place."""
        report, stop = self._report, lambda: self._cancelled
        if report is None:
            from gui.report_docx import write_docx

            self._busy(True, "Writing the Word document…")

            def work():
                write_docx(content, chosen["path"], marking=chosen["marking"], page_size=chosen["page_size"],
                           figures=figures, stop=stop)  # fmt: skip

            return self.background.run(work, lambda _none: self._finished(chosen, None), self._failed)
        self._latest = (0, report.pages)
        self.progress.setRange(0, self._latest[1])
        self.progress.setValue(0)
        self.progress_label.setText("Painting the pages…")
        self._ticker.start()

        def painted(done: int, total: int) -> bool:  # in the worker: noted for the ticker; False cancels
            self._latest = (done, total)
            return not self._cancelled

        def work() -> int:
            pages = report.paint_pages(painted)
            report.finish()
            return pages

        self.background.run(work, lambda pages: self._finished(chosen, pages), self._failed)

    def _show_progress(self) -> None:
        done, total = self._latest
        if total and not self._cancelled:
            self.progress_label.setText(f"Painted page {done:,} of {total:,}…")
            self.progress.setValue(done)

    def _finished(self, chosen: dict, pages: int | None) -> None:
        self._reading.close()
        release_collections(self)
        self._ticker.stop()
        self._show_progress()  # the last page's count, whatever the ticker's last look saw
        self._figures = self._report = None
        if chosen["words"] != (self.versions[0].text if self.versions else ""):
            self.desk.execute(SaveOfficerWords(self.desk, chosen["words"]))
        self.settings.setValue("report/marking", chosen["marking"])
        self.settings.setValue("report/page_size", chosen["page_size"])
        self.settings.setValue("report/format", chosen["format"])
        self.settings.setValue("report/folder", str(chosen["path"].parent))
        self.written = Written(chosen["path"], pages)
        self._busy(False)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._reading.close()
        release_collections(self)
        self._ticker.stop()
        if self._report is not None:
            self._report.abandon()  # no temporary file left behind
        self._figures = self._report = None
        self._busy(False)
        if isinstance(error, ExportCancelled):
            return  # the officer's own choice: nothing to say
        if not isinstance(error, UserError):
            raise error
        show_error(self, str(error))

    def cancel(self) -> None:
        """Cancel: stops an export under way (the dialog stays open), else closes the dialog."""
        if not self.exporting:
            self.reject()
            return
        self._cancelled = True
        self.progress_label.setText("Cancelling…")

    def _busy(self, busy: bool, what: str = "") -> None:
        for widget in self._choices:
            widget.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self.progress_label.setText(what)
        self.progress.setRange(0, 0)  # busy, until the pages are counted
        if not busy:
            self.earlier.setEnabled(len(self.versions) > 1 and not self.words.isReadOnly())
            self.since.setEnabled(self.use_since.isChecked())

    def reject(self) -> None:
        """Escape or the window's close button while exporting cancels the export first."""
        if self.exporting:
            self.cancel()
            return
        super().reject()
