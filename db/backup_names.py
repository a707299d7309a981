"""How backups are named: `NAME-backups/NAME-<UTC time>-<reason>.sqlite` beside the database `NAME.sqlite`.

Apart from db/backup.py, so that opening a database (db/store.py) can tell a backup from a record.
"""

import re
from enum import StrEnum
from pathlib import Path

STAMP = "%Y-%m-%dT%H%M%SZ"


class Reason(StrEnum):
    """Why a backup was made; its name ends the file's name."""

    OPENED = "daily"
    IMPORT = "import"
    RESTORE = "restore"
    UPGRADE = "upgrade"
    MANUAL = "manual"
    MERGE = "merge"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Reason.OPENED: "on opening", Reason.IMPORT: "before an import", Reason.RESTORE: "before a restore",
    Reason.UPGRADE: "before an upgrade", Reason.MANUAL: "by hand", Reason.MERGE: "before a merge",
}  # fmt: skip


def backup_folder(database: Path) -> Path:
    return database.with_name(f"{database.stem}-backups")


def backup_pattern(database: Path) -> re.Pattern:
    reasons = "|".join(reason.value for reason in Reason)
    return re.compile(
        rf"{re.escape(database.stem)}-(\d{{4}}-\d\d-\d\dT\d{{6}}Z)-({reasons}){re.escape(database.suffix)}"
    )


def backup_of(path: Path) -> Path | None:
    """The database whose backup in the rotation `path` is, None when it is not one."""
    folder = path.parent
    if not folder.name.endswith("-backups"):
        return None
    database = folder.parent / f"{folder.name.removesuffix('-backups')}{path.suffix}"
    return database if backup_pattern(database).fullmatch(path.name) else None
