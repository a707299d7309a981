"""The officer: one name and unit, kept in the application's settings folder, that "prepared by" on
reports, the holder in a database's lock file and the audit trail's who all show. Until the officer
says otherwise (the window asks once, gui.officer), it is the OS user's full name.

Kept as a small JSON file rather than in Qt's settings so that the command line, which never loads Qt
for its record commands, signs with the same name as the window.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from db.atomic_file import write_atomically
from db.clock import full_name
from db.values import check_text, sentence

MOST = 200  # characters of a name or a unit: a lock file and a title block hold it on one line


@dataclass(frozen=True)
class Officer:
    name: str
    unit: str = ""

    @property
    def label(self) -> str:
        """ "NAME, UNIT", or the name alone."""
        return f"{self.name}, {self.unit}" if self.unit else self.name


def officer_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path("accord-desk", appauthor=False) / "officer.json"


def officer_problem(name: str, unit: str) -> str:
    """What is wrong with a name and unit typed in, in one sentence, or ""."""
    if not name.strip():
        return "Give your name: reports say who prepared them and the record says who changed it."
    for value, what in ((name, "the name"), (unit, "the unit")):
        try:
            check_text(value, what, MOST)
        except ValueError as error:
            return sentence(str(error))
        if "\n" in value or "\r" in value:
            return f"Write {what} on one line."
    return ""


def saved_officer() -> Officer | None:
    """The officer as last saved; None before the first start (or if the file was spoilt by hand)."""
    try:
        fields = json.loads(officer_file().read_text(encoding="utf-8"))
        chosen = Officer(str(fields["name"]).strip(), str(fields.get("unit", "")).strip())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return chosen if not officer_problem(chosen.name, chosen.unit) else None


def officer() -> Officer:
    """The saved officer, else the OS user's full name."""
    return saved_officer() or Officer(full_name())


def officer_label() -> str:
    """Who signs what this process writes."""
    return officer().label


def save_officer(chosen: Officer) -> None:
    path = officer_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda handle: json.dump({"name": chosen.name, "unit": chosen.unit}, handle))
