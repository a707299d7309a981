"""Edit ▸ Find anything… (Ctrl+K): one box over obligations, events, assessments and actors.

Hits come from db.search (SQLite's FTS5) off the UI thread as the officer types, listed by kind; Enter
or a double-click goes to the record (the window decides how: MainWindow.go_to). While the dialog is open
the same words are searched again when the record changes in a way a search reads (db.search.concerns_search)
or another agreement is chosen, keeping the hit the officer was on.
"""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from db.changes import Changes
from db.search import KINDS, Hit, concerns_search, search
from gui.background import Background
from gui.desk import Desk
from gui.plain_text import plain_label

KIND_NAMES = {"obligation": "Obligations", "event": "Events", "assessment": "Assessments", "actor": "Actors"}
_HIT = Qt.ItemDataRole.UserRole


class SearchDialog(QDialog):
    chosen = Signal(object)  # the Hit gone to

    def __init__(self, desk: Desk, parent: QWidget):
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle("Find anything")
        self.background = Background(self)
        self.box = QLineEdit()
        self.box.setPlaceholderText("Words from a clause, an event's notes or place, a rationale, an actor…")
        self.box.setAccessibleName("Find")
        self.box.setClearButtonEnabled(True)
        self.count = plain_label(wrap=False)
        self.hits = QTreeWidget()
        self.hits.setHeaderLabels(["Found", "Where the words are"])
        self.hits.setRootIsDecorated(False)
        self.hits.setColumnWidth(0, 360)
        self.hits.itemActivated.connect(self._go)
        self._typed = QTimer(self, singleShot=True, interval=150)  # a search per pause in the typing
        self._typed.timeout.connect(self._search)
        self.box.textChanged.connect(self._typed.start)
        self.box.returnPressed.connect(self._go_to_first)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.count)
        layout.addWidget(self.hits)
        self.resize(900, 560)
        self.words = ""
        self._listed = ""  # the words the hits listed were found by
        desk.record_changed.connect(self._record_changed)
        desk.agreement_changed.connect(self._search_again)
        desk.store_replaced.connect(self._search_again)

    def _record_changed(self, changes: Changes, _initiator) -> None:
        if concerns_search(changes):
            self._search_again()

    def _search_again(self, *_args) -> None:
        if self.isVisible() and self.box.text().strip():
            self._search()

    def _search(self) -> None:
        words, store, agreement = self.box.text(), self.desk.store, self.desk.agreement_id
        self.words = words
        if store is None or not words.strip():
            self._show(words, [])
            return

        def read() -> list[Hit]:
            with store.reading() as session:
                return search(session, words, agreement)

        self.background.run(read, lambda found: self._show(words, found), lambda error: self.count.setText(str(error)))

    def _show(self, words: str, found: list[Hit]) -> None:
        if words != self.box.text():  # typed on since: a newer search is on its way
            return
        current = self.hits.currentItem()
        # searched again for a change of the record: stay on the hit the officer was on
        was_on = current.data(0, _HIT) if current is not None and words == self._listed else None
        self._listed = words
        self.hits.clear()
        for kind in KINDS:
            mine = [hit for hit in found if hit.kind == kind]
            if not mine:
                continue
            group = QTreeWidgetItem([f"{KIND_NAMES[kind]} ({len(mine)})"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.hits.addTopLevelItem(group)
            for hit in mine:
                item = QTreeWidgetItem([hit.heading, hit.snippet])  # items show text as it is
                item.setData(0, _HIT, hit)
                item.setToolTip(1, hit.snippet)
                self.hits.addTopLevelItem(item)
        self.count.setText(f"{len(found)} found" if words.strip() else "")
        item = self._item_of(was_on) if was_on is not None else None
        item = item or self._first_hit()
        if item is not None:
            self.hits.setCurrentItem(item)

    def _item_of(self, hit: Hit) -> QTreeWidgetItem | None:
        same = (hit.kind, hit.record_id)
        return next((item for item, shown in self._hit_items() if (shown.kind, shown.record_id) == same), None)

    def _hit_items(self):
        """(item, its Hit) of each hit listed, in order; the kinds' headings have none."""
        for row in range(self.hits.topLevelItemCount()):
            item = self.hits.topLevelItem(row)
            if (hit := item.data(0, _HIT)) is not None:
                yield item, hit

    def _first_hit(self) -> QTreeWidgetItem | None:
        return next((item for item, _hit in self._hit_items()), None)

    def _go_to_first(self) -> None:
        item = self.hits.currentItem() or self._first_hit()
        if item is not None:
            self._go(item)

    def _go(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hit = item.data(0, _HIT)
        if hit is not None:
            self.accept()
            self.chosen.emit(hit)
