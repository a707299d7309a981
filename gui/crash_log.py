"""Defects, as opposed to a user's mistakes: the officer gets one sentence, the log file the traceback.

Plain Python (no Qt), so the command line uses it on a bare server too. The log lives in the data
folder beside the default database; it is appended to, not replaced, so it does not go through
db.atomic_file, and it is rotated by the standard library so it never grows without bound.
"""

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_NAME = "accord-desk.log"
MAX_LOG_BYTES = 1 << 20

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_path() -> Path:
    from db.store import default_database_path

    return default_database_path().parent / LOG_NAME


def record_defect(exc_info: ExcInfo, where: str) -> Path | None:
    """Append the traceback to the log file; its path, or None if it cannot be written either."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=1, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    try:
        handler.emit(logging.LogRecord("accord-desk", logging.ERROR, "", 0, where, None, exc_info))
    finally:
        handler.close()
    return path


def defect_sentence(error: BaseException, logged: Path | None) -> str:
    """What the officer reads: that it is not their doing, what happened to their work, where to look."""
    where = f"the details are in {logged}" if logged else "the details could not be logged"
    return (
        f"Accord Desk met an internal error ({type(error).__name__}) and did not finish that action; "
        f"{where}: please send them to whoever supports Accord Desk."
    )
