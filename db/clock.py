"""Time and identity of whoever changes the record."""

import getpass
from datetime import UTC, datetime


def utc_now() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime stores it and gives it back aware, even from SQLite."""
    return datetime.now(UTC)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"
