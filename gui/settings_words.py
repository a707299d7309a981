"""The officer's words the window kept in its settings before the record kept them (issue 14), moved
into the record once as a database opens. Apart from the export dialog, so opening the window does not
import the report's painting."""

from PySide6.QtCore import QSettings

from db.changes import Changes
from db.ids import new_id
from db.officer_words import save_words, words_history
from gui.desk import Desk

MOVED = "Keep the officer's assessment in words in the record (moved from this computer's settings)"


def summary_key(agreement_id: str | None) -> str:
    """Where the window kept an agreement's words in its settings before the record kept them."""
    return f"report/summary/{agreement_id}"


def move_words_from_settings(desk: Desk, settings: QSettings) -> int:
    """Once per agreement: words the settings kept become the agreement's first version in the record,
    audited as MOVED, and leave the settings. Where the record holds other words already (kept on
    another desk), the settings' copy stays where it is, untouched. Returns how many were moved."""
    store, moved, changed = desk.store, 0, set()
    if store is None or store.read_only is not None:
        return 0
    for agreement in desk.agreements():
        key = summary_key(agreement.id)
        if not settings.contains(key) or store.refusal(agreement.id) is not None:  # not this officer's to change
            continue
        text = str(settings.value(key, ""))
        with store.reading() as session:
            kept = words_history(session, agreement.id)
        if not kept and text.strip():
            with store.writing(MOVED) as session:
                save_words(session, agreement.id, text, store.user, new_id())
            moved += 1
            changed.add(agreement.id)
        if not kept or kept[0].text == text:
            settings.remove(key)
    if changed:
        desk.changed(Changes(words=frozenset(changed)))
    return moved
