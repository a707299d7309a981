"""File ▸ Send to another desk… and File ▸ Receive from another desk… (db/bundle.py, db/exchange.py).

Sending writes a bundle off the UI thread, with progress and Cancel (gui/long_work.py; a cancelled send
leaves no file). Receiving first reads and checks the bundle and plans the merge off the UI thread, with
progress and Cancel (nothing is written), then shows what it would bring and every record changed on
both desks side by side: this desk's version and the other's, column by column. The officer chooses for
each (this desk's, the other's, or for text both kept); Receive stays disabled until every conflict has
a choice, and only then is the merge written, in one transaction, off the UI thread, with progress and
Cancel (a cancelled receive rolls the transaction back: the record is as it was). Like an import, a
receive is not an undo command (it can bring thousands of rows); the views are told the record changed,
and an undo of an earlier edit of a row the merge changed is refused by its version (db.audit).
"""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.bundle import SUFFIX, export_bundle
from db.errors import ExportCancelled, ImportCancelled
from db.exchange import import_bundle
from db.merge_report import Choice, Conflict, MergeReport
from gui import file_dialog
from gui.backup_dialog import _inform, _sentence, row_table
from gui.desk import Desk
from gui.long_work import LongWork
from gui.plain_text import plain_label, quiet_label, show_error

BUNDLE_FILTER = f"Accord Desk bundles (*{SUFFIX});;All files (*)"
COLUMNS = ("Record", "What happened", "Keep")
CHOICES = (
    ("Choose…", None),
    ("This desk's version", Choice.MINE),
    ("The other desk's version", Choice.THEIRS),
    ("Both texts, this desk's first", Choice.BOTH),
)


def send_to_another_desk(desk: Desk, parent: QWidget, path: Path | None = None) -> LongWork | None:
    """Ask where to write the bundle (unless `path` is given), then write it off the UI thread."""
    if desk.store is None:
        return None
    if path is None:
        start = str(desk.store.folder / f"{desk.store.stem}{SUFFIX}")
        chosen = file_dialog.save_file_name(parent, "Send to another desk", start, BUNDLE_FILTER)
        if not chosen:
            return None
        path = Path(chosen) if chosen.endswith(SUFFIX) else Path(chosen + SUFFIX)
    store = desk.store
    work = LongWork(parent, "Send to another desk", f"Writing {path.name}…", cancellable=True)

    def done(sent) -> None:
        records = sum(n for name, n in sent.counts.items() if name not in ("tombstones", "audit entries"))
        work.outcome = _inform(
            parent, "Send to another desk",
            f"Wrote {sent.path}: {records:,} records, {sent.counts['tombstones']:,} deletions and "
            f"{sent.counts['audit entries']:,} audit entries. Give the file to the other desk; they receive it "
            "with File ▸ Receive from another desk….",
        )  # fmt: skip

    def failed(error: BaseException) -> None:
        work.message = _sentence(error, "sending")
        if not isinstance(error, ExportCancelled):  # a cancel is the officer's own doing: nothing to say
            show_error(parent, work.message, "Send to another desk")

    work.outcome, work.message = None, ""
    work.start(lambda: export_bundle(store, path, progress=work.report), done, failed)
    return work


def receive_from_another_desk(desk: Desk, parent: QWidget, path: Path | None = None) -> "ReceiveDialog | None":
    if desk.store is None or desk.store.read_only:
        return None
    if path is None:
        chosen = file_dialog.open_file_name(parent, "Receive from another desk", str(desk.store.folder), BUNDLE_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
    dialog = ReceiveDialog(desk, path, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _shown(value) -> str:
    return "(empty)" if value is None or value == "" else str(value)


def side_text(conflict: Conflict, mine: bool) -> str:
    """One side of a conflict as the officer reads it: the differing columns first, then the rest."""
    values = conflict.mine if mine else conflict.theirs
    if values is None:
        return "Deleted on this desk." if mine else "Deleted on the other desk."
    other = conflict.theirs if mine else conflict.mine
    names = list(conflict.columns) or [n for n in values if other is None or values[n] != other.get(n)]
    lines = [f"{name}: {_shown(values[name])}" for name in names]
    return "\n".join(lines) if lines else "(the same)"


class ReceiveDialog(QDialog):
    """What the bundle brings, the conflicts side by side, and Receive once each has a choice."""

    received = Signal(object)  # the MergeReport, once written

    def __init__(self, desk: Desk, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk, self.path = desk, path
        self.report: MergeReport | None = None
        self.choices: dict[tuple[str, str], Choice] = {}
        self.outcome = None
        self.setWindowTitle(f"Receive from another desk — {path.name}")
        self.setMinimumSize(900, 560)
        self.summary = plain_label(f"Reading {path.name} and comparing it with this record…")
        self.hint = quiet_label(
            "Records changed on both desks since they last exchanged. Nothing is written until you have chosen, "
            "for each, which version to keep."
        )
        self.table = row_table(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_sides)
        self.mine_text, self.theirs_text = QPlainTextEdit(), QPlainTextEdit()
        sides = QWidget()
        row = QHBoxLayout(sides)
        row.setContentsMargins(0, 0, 0, 0)
        for title, text in (("This desk", self.mine_text), ("The other desk", self.theirs_text)):
            text.setReadOnly(True)
            column = QVBoxLayout()
            column.addWidget(plain_label(title, bold=True))
            column.addWidget(text)
            row.addLayout(column)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(sides)
        buttons = QDialogButtonBox()
        self.receive_button: QPushButton = buttons.addButton("Receive", QDialogButtonBox.ButtonRole.AcceptRole)
        self.receive_button.setEnabled(False)
        self.receive_button.clicked.connect(self.receive)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.work: LongWork | None = None
        self._run(f"Reading {path.name} and comparing it with this record…", self._planned, self._refused)

    def _run(self, label: str, done, failed, choices: dict | None = None) -> None:
        """The dry run (`choices` None) or the receive, off the UI thread behind a progress dialog with Cancel."""
        store, path = self.desk.store, self.path
        self.work = work = LongWork(self, self.windowTitle(), label, cancellable=True)
        dry_run = choices is None
        work.start(
            lambda: import_bundle(store, path, dry_run=dry_run, choices=choices or {}, progress=work.report), done, failed
        )

    # --- the plan ----------------------------------------------------------------------------------------

    def _planned(self, report: MergeReport) -> None:
        self.report = report
        lines = report.lines()
        self.summary.setText("\n".join(line for line in lines if not line.strip().startswith("Conflict:")))
        conflicts = report.conflicts
        self.hint.setVisible(bool(conflicts))
        self.table.setVisible(bool(conflicts))
        self.table.setRowCount(len(conflicts))
        for index, conflict in enumerate(conflicts):
            self.table.setItem(index, 0, QTableWidgetItem(conflict.label))
            self.table.setItem(index, 1, QTableWidgetItem(conflict.why + (f" ({', '.join(conflict.columns)})" if conflict.columns else "")))
            combo = QComboBox()
            for text, choice in CHOICES:
                if choice != Choice.BOTH or conflict.text_only:
                    combo.addItem(text, choice)
            combo.currentIndexChanged.connect(lambda _i, c=conflict, box=combo: self._chosen(c, box.currentData()))
            self.table.setCellWidget(index, 2, combo)
        if conflicts:
            self.table.selectRow(0)
        self._update_button()

    def _refused(self, error: BaseException) -> None:
        self.summary.setText(_sentence(error, "receiving"))
        self.hint.setVisible(False)
        self.table.setVisible(False)

    def _show_sides(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.report is None:
            return
        conflict = self.report.conflicts[rows[0].row()]
        self.mine_text.setPlainText(side_text(conflict, mine=True))
        self.theirs_text.setPlainText(side_text(conflict, mine=False))

    def choose(self, index: int, choice: Choice) -> None:
        """Choose for the conflict in this row (what its Keep list does)."""
        combo: QComboBox = self.table.cellWidget(index, 2)
        combo.setCurrentIndex(combo.findData(choice))

    def _chosen(self, conflict: Conflict, choice: Choice | None) -> None:
        if choice is None:
            self.choices.pop(conflict.key, None)
        else:
            self.choices[conflict.key] = choice
        self._update_button()

    def _update_button(self) -> None:
        report = self.report
        ready = report is not None and not report.written and all(c.key in self.choices for c in report.conflicts)
        self.receive_button.setEnabled(ready)
        if report is not None and report.conflicts:
            left = sum(1 for c in report.conflicts if c.key not in self.choices)
            self.receive_button.setText("Receive" if not left else f"Receive ({left} to choose)")

    # --- writing -----------------------------------------------------------------------------------------

    def receive(self) -> None:
        if not self.receive_button.isEnabled():
            return
        self.receive_button.setEnabled(False)
        self._run(f"Receiving {self.path.name}…", self._received, self._failed, dict(self.choices))

    def _received(self, report: MergeReport) -> None:
        self.report = report
        if report.written:
            self.desk.changed(report.changes)
        self.outcome = _inform(self.parentWidget(), "Receive from another desk", "\n".join(report.lines()))
        self.received.emit(report)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._update_button()
        if isinstance(error, ImportCancelled):  # the officer's own doing: said in the dialog, which stays open
            self.summary.setText(f"{error} Press Receive to receive it after all.")
            return
        show_error(self, _sentence(error, "receiving"), "Receive from another desk")
