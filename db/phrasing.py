"""How standings and counts are put in words, once, for the tree, the detail panel, the PDF, the Word copy
and the messages (a small module: the window imports it at start, the event-file reader only to import)."""

from db.compliance import Standing


def deadline_text(standing: Standing, ongoing_word: str = "ongoing") -> str:
    """The resolved deadline date, "ongoing", "pending" (a rule whose anchor has not happened) or "".
    One word where there is no date: why is the reason's to say (a narrow column would wrap it)."""
    deadline = standing.deadline
    if deadline.on is not None:
        return deadline.on.isoformat()
    if deadline.explanation == "ongoing":
        return ongoing_word
    return "pending" if deadline.explanation else ""


def deadline_origin(standing: Standing) -> str:
    """Where the deadline comes from, in a sentence."""
    deadline = standing.deadline
    if deadline.on is not None:
        if deadline.explanation:
            return f"Resolved from the rule: {deadline.explanation}."
        return "A fixed date in the agreement."
    if deadline.explanation == "ongoing":
        return "An ongoing commitment without a deadline."
    if deadline.explanation:
        return f"Not yet fixed: {deadline.explanation}."
    return ""


def plural(count: int, noun: str) -> str:
    """ "1 event", "2,000 events"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
