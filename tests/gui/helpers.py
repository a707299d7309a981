"""Small look-ups the window's tests share."""

from datetime import date

from gui.desk import Desk

AS_OF = date(2026, 11, 28)


def find(desk: Desk, ref: str):
    """The node of the desk's current tree with this clause reference."""
    return next(n for root in desk.tree() for n in root.walk() if n.ref == ref)


def refs(desk: Desk) -> list[str]:
    return [n.ref for root in desk.tree() for n in root.walk()]
