"""One writer per database: a lock on a file beside it that names who holds it.

SQLite's own locks are POSIX advisory locks, which a process loses on a file as soon as it closes
*any* descriptor of that file (a header check, a file dialog sniffing the folder), so they cannot
keep a second writer out. `flock` locks belong to the open file description instead and survive
such closes; the kernel drops them when the holder dies, so a dead process's lock is taken over by
the next writer, which learns from the leftover file that the last session did not end cleanly.
"""

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from db.errors import DatabaseInUseError


def lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a database for writing, as written in its lock file."""

    user: str
    host: str
    pid: int
    since: datetime

    def sentence(self, database: Path) -> str:
        today = self.since.date() == datetime.now().astimezone().date()
        when = self.since.strftime("%H:%M" if today else "%Y-%m-%d %H:%M")
        return f"{database} is open in Accord Desk by {self.user} on {self.host} since {when}"

    @classmethod
    def parse(cls, text: str) -> "Holder | None":
        try:
            fields = json.loads(text)
            return cls(str(fields["user"]), str(fields["host"]), int(fields["pid"]),
                       datetime.fromisoformat(fields["since"]))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None


def left_behind(database: Path) -> bool:
    """Whether the database's last writer on this machine died holding it (its lock file names a process
    that is gone): what a reader, which takes no lock, learns of an unclean end. Read without locking,
    so a writer starting meanwhile is never turned away; a holder on another machine counts as alive."""
    try:
        holder = Holder.parse(lock_path(database).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False
    if holder is None or holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _me(user: str) -> Holder:
    return Holder(user, socket.gethostname(), os.getpid(), datetime.now().astimezone().replace(microsecond=0))


def _write(descriptor: int, holder: Holder) -> None:
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps({**holder.__dict__, "since": holder.since.isoformat()}).encode(), 0)
    os.fsync(descriptor)


def _read(descriptor: int) -> str:
    os.lseek(descriptor, 0, os.SEEK_SET)
    return os.read(descriptor, 4096).decode("utf-8", "replace")


class WriterLock:
    """Held for as long as a Store may write. `unclean` says the previous writer died holding it."""

    def __init__(self, path: Path, descriptor: int, unclean: bool):
        self.path, self._descriptor, self.unclean = path, descriptor, unclean

    @classmethod
    def acquire(cls, database: Path, user: str) -> "WriterLock":
        """Take the lock, or raise DatabaseInUseError naming its holder. OSError if the folder is not writable."""
        path = lock_path(database)
        while True:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = Holder.parse(_read(descriptor))
                os.close(descriptor)
                who = holder.sentence(database) if holder else f"{database} is open in another Accord Desk"
                raise DatabaseInUseError(
                    f"{who}; close it there, or run this when it is closed.", who
                ) from None
            except BaseException:
                os.close(descriptor)
                raise
            # A holder that was releasing removed the file after we opened it: lock the new one instead.
            try:
                same = os.path.samestat(os.fstat(descriptor), os.stat(path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(descriptor)
                continue
            try:
                unclean = Holder.parse(_read(descriptor)) is not None
                _write(descriptor, _me(user))
            except BaseException:
                os.close(descriptor)
                raise
            return cls(path, descriptor, unclean)

    def sign(self, user: str) -> None:
        """The officer changed their name: the lock names them so from now on (same process, same since)."""
        if self._descriptor < 0:
            return
        held = Holder.parse(_read(self._descriptor)) or _me(user)
        _write(self._descriptor, Holder(user, held.host, held.pid, held.since))

    def release(self) -> None:
        """A clean end: the file goes first, so nobody mistakes it for a crashed session's."""
        if self._descriptor < 0:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._descriptor)
            self._descriptor = -1
