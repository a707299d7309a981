"""Time and identity of whoever changes the record."""

import getpass
import os
from datetime import UTC, datetime


def utc_now() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime stores it and gives it back aware, even from SQLite."""
    return datetime.now(UTC)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


def full_name() -> str:
    """The OS user's full name (the passwd entry's GECOS name), else the login name: who an officer
    is until they say otherwise in the application's settings."""
    try:
        import pwd

        gecos = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError, OSError):  # no pwd module (Windows) or no passwd entry
        gecos = ""
    return gecos or current_user()
