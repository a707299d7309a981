"""Small look-ups the window's tests share."""

from datetime import date

from PySide6.QtWidgets import QDialog

from gui.desk import Desk

AS_OF = date(2026, 11, 28)


def find(desk: Desk, ref: str):
    """The node of the desk's current tree with this clause reference."""
    return next(n for root in desk.tree() for n in root.walk() if n.ref == ref)


def refs(desk: Desk) -> list[str]:
    return [n.ref for root in desk.tree() for n in root.walk()]


def while_open(monkeypatch, meanwhile, typed):
    """Every form: while it is open the record changes underneath (`meanwhile`), the officer types
    (`typed(dialog)`) and presses OK."""

    opened = []

    def run(dialog):
        opened.append(dialog.windowTitle())
        if len(opened) == 1:  # the form; after it, the refusal's message box
            meanwhile()
            typed(dialog)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", run)
