"""File ▸ Open recent: the last databases opened, newest first, kept in QSettings.

A team database is kept by its address without the password (db.location.Server.remembered)."""

from pathlib import Path

from PySide6.QtCore import QSettings

from db.location import Location, Server, is_server_address, parse_location

KEY = "recent_databases"
MAXIMUM = 8


def recent_databases(settings: QSettings) -> list[Location]:
    """The remembered databases that still exist (missing files are forgotten; a server is asked only
    when the officer opens it)."""
    stored = [parse_location(p) if is_server_address(p) else Path(p) for p in _stored(settings)]
    present = [p for p in stored if isinstance(p, Server) or p.is_file()]
    if len(present) != len(stored):
        settings.setValue(KEY, [_kept(p) for p in present])
    return present


def _kept(location: Location) -> str:
    return location.remembered if isinstance(location, Server) else str(location)


def remember_database(settings: QSettings, location: Location) -> None:
    kept = _kept(location if isinstance(location, Server) else location.resolve())
    paths = [kept] + [p for p in _stored(settings) if p != kept]
    settings.setValue(KEY, paths[:MAXIMUM])


def _stored(settings: QSettings) -> list[str]:
    value = settings.value(KEY, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list in INI files
        return [value]
    return [str(v) for v in value or []]
