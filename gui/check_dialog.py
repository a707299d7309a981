"""Help > Check the record: db.integrity's check run off the UI thread, its result shown as plain text."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from db.errors import UserError
from db.integrity import check_record
from db.store import Store
from gui.background import Background


class CheckDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Check the record")
        self.text = QPlainTextEdit("Checking the record…")  # plain text: the findings name the officer's records
        self.text.setReadOnly(True)
        self.text.setMinimumSize(640, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.whole: bool | None = None  # None while the check runs
        self.background = Background(self)
        self.background.run(lambda: check_record(store), self._done, self._failed)

    def _done(self, report) -> None:
        self.whole = report.whole
        self.text.setPlainText("\n".join(report.lines()))

    def _failed(self, error: BaseException) -> None:
        self.whole = False
        reason = str(error) if isinstance(error, UserError) else f"the database could not be read ({error})"
        self.text.setPlainText(f"The check could not finish: {reason}.")
