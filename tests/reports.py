"""The report's content as tests look at it: its chronology read whole before the reading ends."""

from datetime import date

from db.report_content import ReportContent, report_content
from db.store import Store


def content_read(store: Store, agreement_id: str | None, as_of: date, **options) -> ReportContent:
    with store.reading() as session:
        content = report_content(session, agreement_id, as_of, **options)
        content.chronology = list(content.chronology)  # walked only while the reading is open (db.report_content)
    return content
