"""Writing a file the user names, all or nothing: written beside it, checked, synced, renamed over it.

Every file the application writes (CSV, PDF, PNG, and whatever later work adds) goes through
`atomic_path` or `write_atomically`, so a full disk, a failing producer, an error or a cancel leaves
the previous file byte for byte, and no temporary file behind.
"""

import glob
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

from db.errors import UserError

Result = TypeVar("Result")
NEW_FILE_MODE = 0o644  # mkstemp makes 0600; an export is an ordinary file to share
STALE_SECONDS = 3600  # a temporary file untouched this long was left by a killed export


def not_written(path: Path) -> UserError:
    """What to say when the producer reports that it could not write the file (a full disk, mostly)."""
    return UserError(
        f"{path} could not be written whole (is the disk full?); the previous file, if any, is unchanged."
    )


@contextmanager
def atomic_path(path: Path, whole: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved over `path` when the block ends without error.

    For writers that open the file themselves, such as QPdfWriter: the block raises `not_written(path)`
    when the writer reports a failure, and `whole(temporary)`, if given, says whether the written
    file is complete (a writer that reports nothing). The file is fsynced before the rename, so
    the rename never puts a file whose bytes are not yet on disk in place of a good one.
    """
    if not path.parent.is_dir():
        raise UserError(f"{path.parent} does not exist; create the folder first or choose another.")
    if path.is_dir():
        raise UserError(f"{path} is a folder; name the file to write.")
    _remove_stale(path)
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise UserError(
            f"{path} cannot be written ({error.strerror}); choose a folder you can write to."
        ) from None
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        if whole is not None and not whole(temporary):
            raise not_written(path)
        _fsync(temporary)
        os.chmod(temporary, NEW_FILE_MODE)
        os.replace(temporary, path)
        _fsync(path.parent)  # the rename itself, on file systems that need it
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise UserError(
                f"{path} cannot be written ({error.strerror}); check the disk and the folder."
            ) from None
        raise


def framed(start: bytes, end: bytes) -> Callable[[Path], bool]:
    """A `whole` check for formats with a fixed beginning and a trailer (PDF, PNG): a full disk cuts
    the end off, and writers such as QPdfWriter report nothing."""

    def whole(path: Path) -> bool:
        with path.open("rb") as handle:
            begins = handle.read(len(start))
            handle.seek(max(0, path.stat().st_size - 64))
            return begins == start and end in handle.read()

    return whole


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_stale(path: Path) -> None:
    """Temporary files of `path` that a killed export left behind (nothing else removes them)."""
    now = time.time()
    for name in glob.glob(f".{glob.escape(path.name)}.*.part", root_dir=path.parent):
        stale = path.parent / name
        try:
            if now - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: it does not stop this export


def write_atomically(path: Path, write: Callable[[TextIO], Result], encoding: str = "utf-8") -> Result:
    """Call `write` with the open temporary file, then move it into place; UserError if it cannot be."""
    with atomic_path(path) as temporary, temporary.open("w", encoding=encoding, newline="") as handle:
        return write(handle)
