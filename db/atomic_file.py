"""Writing a file the user names, all or nothing: written beside it, then renamed over it."""

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

from db.errors import UserError

Result = TypeVar("Result")
NEW_FILE_MODE = 0o644  # mkstemp makes 0600; an export is an ordinary file to share


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved over `path` when the block ends without error.

    A failure (a full disk, an error or a cancel in the block) leaves whatever `path` held before, and
    no temporary file. For writers that open the file themselves, such as QPdfWriter.
    """
    if not path.parent.is_dir():
        raise UserError(f"{path.parent} does not exist; create the folder first or choose another.")
    if path.is_dir():
        raise UserError(f"{path} is a folder; name the file to write.")
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
        os.chmod(temporary, NEW_FILE_MODE)
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise UserError(
                f"{path} cannot be written ({error.strerror}); check the disk and the folder."
            ) from None
        raise


def write_atomically(path: Path, write: Callable[[TextIO], Result], encoding: str = "utf-8") -> Result:
    """Call `write` with the open temporary file, then move it into place; UserError if it cannot be."""
    with atomic_path(path) as temporary, temporary.open("w", encoding=encoding, newline="") as handle:
        result = write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return result
