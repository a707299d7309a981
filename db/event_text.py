"""Cells of event files as they arrive from spreadsheets, R, pandas and Stata: what stands for a missing
value, which separator a file uses, and text garbled by encoding round-trips (mojibake).

Mojibake is repaired by ftfy's encoding repair alone (`ftfy.fix_encoding`): ftfy's defaults also
straighten quotes, unescape HTML and change line breaks, which would alter evidence. It runs once per
distinct non-ASCII value, so a file of 100,000 mostly ASCII rows pays almost nothing for it.
"""

from collections.abc import Iterable

# How R (NA), pandas (nan, NaN), SQL exports (NULL), Stata (.) and Excel (#N/A) write "no value".
MISSING = frozenset({"NA", "N/A", "n/a", "NULL", "null", "Null", "nan", "NaN", "NAN", ".", "#N/A"})
SEPARATORS = (",", ";", "\t")
NO_BREAK_SPACE = "\xa0"


def blank_missing(cell: str) -> str:
    """The cell, or "" when it is a missing-value marker."""
    return "" if cell.strip() in MISSING else cell


def separator(header_line: str) -> str:
    """The separator of a CSV file from its header line: the one it uses most (Excel in a European
    locale writes ';', since there ',' is the decimal comma)."""
    counts = {candidate: header_line.count(candidate) for candidate in SEPARATORS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def repair_text(text: str) -> str:
    """The text with ftfy's encoding repair applied (e.g. 'S√©gou' or 'SÃ©gou' → 'Ségou')."""
    import ftfy  # here, not at start-up: a third of a second of the window's start for imports only

    return ftfy.fix_encoding(text)


class Repairs:
    """The distinct values whose encoding was repaired in one file, original → repaired."""

    def __init__(self) -> None:
        self.done: dict[str, str] = {}

    def mapping(self, values: Iterable[str | None], labels: bool = False) -> dict[str, str]:
        """What to replace among these (distinct) values: garbled text repaired; with `labels` (a source's or an
        actor's name, not evidence text), also non-breaking spaces made plain spaces."""
        changed = {}
        for value in values:
            if not value or value.isascii() or value in MISSING:
                continue
            fixed = self.done.get(value)
            if fixed is None:
                fixed = repair_text(value)
                if fixed != value:
                    self.done[value] = fixed
            if labels:
                fixed = fixed.replace(NO_BREAK_SPACE, " ")
            if fixed != value:
                changed[value] = fixed
        return changed

    def __len__(self) -> int:
        return len(self.done)
