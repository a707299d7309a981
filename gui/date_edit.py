"""The date field of every form: ISO display, a calendar popup, and only dates the record holds."""

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit

from db.values import EARLIEST, LATEST


def record_date_edit(value: date | QDate) -> QDateEdit:
    """A QDateEdit limited to db.values' calendar, so no form can offer a date the record refuses."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(QDate(EARLIEST), QDate(LATEST))
    edit.setDate(value if isinstance(value, QDate) else QDate(value))
    return edit
