"""The summary strip: for the as-of date, how many obligations of each party stand at each status."""

from PySide6.QtWidgets import QGridLayout, QWidget

from db.tree import counts_by_party
from db.vocabulary import STATUS_SEVERITY
from gui.desk import Desk
from gui.plain_text import plain_label
from gui.status_badge import STATUS_STYLES, badge_text


class StatusSummary(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 4, 8, 4)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(2)
        self.counts: list = []
        for signal in (desk.record_changed, desk.as_of_changed, desk.agreement_changed, desk.store_replaced):
            signal.connect(self.refresh)  # a bound method: Qt drops it with the strip
        self.refresh()

    def refresh(self, *_) -> None:
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        agreement = self.desk.agreement()
        self.counts = counts_by_party(self.desk.tree(), agreement.parties) if agreement else []
        statuses = [s for s in STATUS_SEVERITY if any(c.get(s) for _, c in self.counts)]
        self.grid.addWidget(plain_label(f"As of {self.desk.as_of.isoformat()}", wrap=False, bold=True), 0, 0)
        for column, status in enumerate(statuses, start=1):
            header = plain_label(badge_text(status), wrap=False)
            header.setStyleSheet(f"color: {STATUS_STYLES[status].colour}; font-weight: 600;")
            self.grid.addWidget(header, 0, column)
        for row, (party, counts) in enumerate(self.counts, start=1):
            self.grid.addWidget(plain_label(party, wrap=False), row, 0)
            for column, status in enumerate(statuses, start=1):
                self.grid.addWidget(plain_label(str(counts.get(status, "")) or "·", wrap=False), row, column)
        self.grid.setColumnStretch(len(statuses) + 1, 1)

    def cell(self, row: int, column: int) -> str:
        item = self.grid.itemAtPosition(row, column)
        return item.widget().text() if item else ""
