"""The officer's own assessment of an agreement in words, kept with the record (db.models.OfficerWords).

Page 1 of a report shows the newest words verbatim (db.report_content); each save is a new version,
so the earlier words stay as history, and every version is audited like any change of the record.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.changes import Changes
from db.errors import RecordError
from db.models import Agreement, OfficerWords
from db.records import delete_if_there, get_or_refuse
from db.values import check_text, sentence

WHAT = "the officer's assessment in words"


@dataclass(frozen=True)
class WordsVersion:
    id: str
    text: str
    written_by: str
    written_at: datetime


def words_history(session: Session, agreement_id: str) -> list[WordsVersion]:
    """Every version of the agreement's words, newest first."""
    rows = session.exec(
        select(OfficerWords.id, OfficerWords.text, OfficerWords.written_by, OfficerWords.written_at)
        .where(OfficerWords.agreement_id == agreement_id)
        .order_by(col(OfficerWords.written_at).desc(), col(OfficerWords.id).desc())
    )
    return [WordsVersion(*row) for row in rows]


def newest_words(session: Session, agreement_id: str) -> str:
    """The words a report of the agreement shows: the newest version's, "" before the first."""
    found = session.exec(
        select(OfficerWords.text)
        .where(OfficerWords.agreement_id == agreement_id)
        .order_by(col(OfficerWords.written_at).desc(), col(OfficerWords.id).desc())
        .limit(1)
    ).first()
    return found or ""


def save_words(session: Session, agreement_id: str, text: str, written_by: str, words_id: str) -> Changes:
    """A new version of the agreement's words (`words_id`); the earlier versions stay."""
    get_or_refuse(session, Agreement, agreement_id, "agreement")
    try:
        check_text(text, WHAT)
    except ValueError as error:
        raise RecordError(sentence(str(error))) from None
    session.add(OfficerWords(id=words_id, agreement_id=agreement_id, text=text, written_by=written_by))
    session.flush()
    return Changes(words=frozenset({agreement_id}))


def remove_words(session: Session, words_id: str) -> Changes:
    """Undo of save_words (nothing if there is no such version); the audit trail keeps both."""
    row = delete_if_there(session, OfficerWords, words_id)
    return Changes() if row is None else Changes(words=frozenset({row.agreement_id}))
