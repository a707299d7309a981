"""The one date field of every form and of the as-of box: YYYY-MM-DD with a calendar, typed whole,
limited to the dates the record holds (db.values).

A plain QDateEdit fights an officer who selects all and types "2020-04-10": the first digit goes to
whichever section was current, and the "-" after a section Qt completed by itself skips the next one
(2026-04-10, 2020-11-04). Here a digit typed over the whole text starts at the year, and a "-" right
after Qt moved on by itself is taken as that move.
"""

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget

from db.values import EARLIEST, LATEST


class DateEdit(QDateEdit):
    def __init__(self, on: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setDateRange(QDate(EARLIEST), QDate(LATEST))  # no form offers a date the record refuses
        self._moved_on = False  # the last digit completed a section and Qt moved to the next
        if on is not None:
            self.set_day(on)

    def set_day(self, on: date) -> None:
        self.setDate(QDate(on.year, on.month, on.day))

    def day(self) -> date:
        return self.date().toPython()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        typed = event.text()
        if typed == "-" and self._moved_on:
            self._moved_on = False
            event.accept()
            return
        line = self.lineEdit()
        if typed.isdigit() and line.hasSelectedText() and line.selectedText() == line.text():
            self.setSelectedSection(self.sectionAt(0))
        section = self.currentSectionIndex()
        super().keyPressEvent(event)
        self._moved_on = typed.isdigit() and self.currentSectionIndex() != section
