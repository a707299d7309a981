"""The filter between the obligation model and the tree view: a row stays when its reference,
title or obligors contain the typed text (ignoring case) and its status is among those chosen, and
so do its ancestors."""

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from db.vocabulary import Status
from gui.obligation_model import OBLIGOR, REF, STANDING_ROLE, STATUS, TITLE


class ObligationFilterModel(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._needle = ""
        self._status: Status | None = None

    def set_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._change(lambda: setattr(self, "_needle", needle))

    def set_status(self, status: Status | None) -> None:
        """Keep only obligations standing at this status (None: any)."""
        if status != self._status:
            self._change(lambda: setattr(self, "_status", status))

    def status(self) -> Status | None:
        return self._status

    def _change(self, apply) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()

    def text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        if self._status is not None:
            standing = model.data(model.index(source_row, STATUS, source_parent), STANDING_ROLE)
            if standing is None or standing.status != self._status:
                return False
        if not self._needle:
            return True
        for column in (REF, TITLE, OBLIGOR):
            value = model.data(model.index(source_row, column, source_parent))
            if value and self._needle in value.casefold():
                return True
        return False
