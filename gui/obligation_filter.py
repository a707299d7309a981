"""The filter between the obligation model and the tree view: a row stays when its reference,
title or obligors contain the typed text (ignoring case), and so do its ancestors."""

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from gui.obligation_model import OBLIGOR, REF, TITLE


class ObligationFilterModel(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._needle = ""

    def set_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = needle
            self.invalidateRowsFilter()

    def text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        for column in (REF, TITLE, OBLIGOR):
            value = model.data(model.index(source_row, column, source_parent))
            if value and self._needle in value.casefold():
                return True
        return False
