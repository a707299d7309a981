"""File ▸ Open recent: the last databases opened, newest first, kept in QSettings."""

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recent_databases"
MAXIMUM = 8


def recent_databases(settings: QSettings) -> list[Path]:
    """The remembered databases that still exist (missing ones are forgotten)."""
    stored = [Path(p) for p in _stored(settings)]
    present = [p for p in stored if p.is_file()]
    if len(present) != len(stored):
        settings.setValue(KEY, [str(p) for p in present])
    return present


def remember_database(settings: QSettings, path: Path) -> None:
    path = path.resolve()
    paths = [str(path)] + [p for p in _stored(settings) if Path(p) != path]
    settings.setValue(KEY, paths[:MAXIMUM])


def _stored(settings: QSettings) -> list[str]:
    value = settings.value(KEY, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list in INI files
        return [value]
    return [str(v) for v in value or []]
