"""Accord Desk's own CSV of events: its columns, and how text survives a spreadsheet.

A spreadsheet runs a cell that begins with = + - @ tab or carriage return as a formula, so such a
text cell is written with an apostrophe in front, which spreadsheets show as text. A text cell that
begins with an apostrophe gets one too: the importer then removes exactly one leading apostrophe from
every text cell and gives back the text as it was. Numbers and dates are written as they are.
"""

import re

from db.event_rules import parse_bearing, quoted
from db.vocabulary import EventRole

ROLE_COLUMNS = {
    EventRole.ACTOR1: "actor1",
    EventRole.ASSOC1: "assoc_actor_1",
    EventRole.ACTOR2: "actor2",
    EventRole.ASSOC2: "assoc_actor_2",
}  # ACLED's names for the same columns
COLUMNS = (
    "id", "external_id", "agreement_id", "occurred_on", "occurred_until", "date_precision", "event_type", "sub_event_type",
    *ROLE_COLUMNS.values(), "location", "admin1", "admin2", "admin3", "country", "latitude", "longitude",
    "geo_precision", "fatalities", "notes", "source_name", "source_reference", "source_accessed_on",
    "reliability", "credibility", "links", "same_happening_as",
)  # fmt: skip
NOT_TEXT = frozenset(
    {
        "occurred_on",
        "occurred_until",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
        "source_accessed_on",
    }
)
OPTIONAL = ("occurred_until", "same_happening_as")  # exports made before them are read as they are
TEXT_COLUMNS = tuple(column for column in COLUMNS if column not in NOT_TEXT)
LIST_SEPARATOR = "; "

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_LINK = re.compile(r"(.+) \(([^()]*)\)", re.DOTALL)


def protect(text: str) -> str:
    """The text as a spreadsheet will show it, not run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unprotect(text: str) -> str:
    """Undo of `protect`."""
    return text[1:] if text.startswith("'") else text


def links_cell(links: list[tuple[str, str]]) -> str:
    """(clause reference, bearing) pairs as "P1-A.1 (breach); P3-2 (context)"."""
    return LIST_SEPARATOR.join(f"{ref} ({bearing})" for ref, bearing in links)


def parse_links(cell: str) -> list[tuple[str, str]]:
    links = []
    for item in filter(None, (part.strip() for part in cell.split(LIST_SEPARATOR.strip()))):
        match = _LINK.fullmatch(item)
        if match is None:
            raise ValueError(
                f"{quoted(item)} is not a link; write each as clause (bearing), e.g. P1-A.1 (breach)"
            )
        links.append((match[1].strip(), parse_bearing(match[2])))
    return links
