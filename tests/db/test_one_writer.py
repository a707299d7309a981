"""One writer per database, readers beside it, and nobody able to take a writer's WAL away.

The reproduction of issue 9: inside the process holding the database, any other open()/close() of
the file drops that process's SQLite (POSIX) locks; a second process closing its connection then
thought itself the last user and deleted the WAL under the writer. Another process's writes are
refused by the writer lock (flock, which such closes do not release), and readers open the file
read-only, which never checkpoints or deletes a WAL.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import select

from db import store as store_module
from db.errors import DatabaseInUseError, StorageError
from db.models import Actor
from db.store import Access, Store
from db.writer_lock import lock_path

pytestmark = pytest.mark.sqlite_file("one writer per file: the lock file, POSIX locks, read-only disks")

DATA = Path(__file__).parents[1] / "data"


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gui.cli", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip


def add_actor(store: Store, name: str) -> None:
    with store.writing(f"Add actor {name}") as session:
        session.add(Actor(name=name))


def actor_names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM actor")}


def deleted_files_held(path: Path) -> list[str]:
    """This process's descriptors on the database's files that now point at deleted files."""
    held = []
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith(str(path)) and target.endswith("(deleted)"):
            held.append(target)
    return held


def test_a_foreign_close_in_the_writers_process_no_longer_lets_others_corrupt_the_record(example_store):
    path = example_store.path
    add_actor(example_store, "Before the foreign close")
    open(path, "rb").close()  # what inspect_file and Qt's file dialog did: SQLite's locks are gone
    Path(f"{path}-shm").open("rb").close()

    reader = cli("status", "--db", str(path), "--as-of", "2020-04-10")
    assert reader.returncode == 0, reader.stderr
    assert "P1-A.1" in reader.stdout
    assert deleted_files_held(path) == []  # the reader left the writer's WAL where it was
    assert Path(f"{path}-wal").exists()

    writer = cli("import-events", "--db", str(path), str(DATA / "acled_afghanistan.csv"))
    assert writer.returncode == 1
    assert writer.stderr.count("\n") == 1 and "Traceback" not in writer.stderr
    assert "is open in Accord Desk by tester on" in writer.stderr
    assert "close it there, or run this when it is closed" in writer.stderr

    add_actor(example_store, "After the reader")
    example_store.close()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT count(*) FROM event").fetchone() == (
            23,
        )  # the refused import wrote none
    assert {"Before the foreign close", "After the reader"} <= actor_names(path)


def test_a_second_writer_is_refused_and_the_lock_names_its_holder(example_store):
    with pytest.raises(DatabaseInUseError) as refused:
        Store.open(example_store.path, user="ana")
    message = str(refused.value)
    assert message.startswith(
        f"{example_store.path} is open in Accord Desk by tester on {os.uname().nodename} since "
    )
    assert lock_path(example_store.path).exists()
    example_store.close()
    assert not lock_path(example_store.path).exists()  # a clean end leaves no lock file
    Store.open(example_store.path, user="ana").close()


def test_a_second_desk_opens_read_only_saying_who_has_the_file(example_store):
    second = Store.open(example_store.path, user="ana", access=Access.BEST)
    try:
        assert "is open in Accord Desk by tester" in second.read_only
        assert "open here read-only" in second.read_only
        with pytest.raises(StorageError, match="Nothing was changed"), second.writing("Add actor") as session:
            session.add(Actor(name="Overwrite"))
        with second.reading() as session:
            assert len(session.exec(select(Actor)).all()) == len(actor_names(example_store.path))
        add_actor(example_store, "The writer's")  # the writer goes on while the reader reads
        with second.reading() as session:
            assert "The writer's" in {actor.name for actor in session.exec(select(Actor))}
    finally:
        second.close()
    assert "Overwrite" not in actor_names(example_store.path)


def test_reads_work_beside_a_writer(example_store, tmp_path):
    add_actor(example_store, "Unflushed to the main file")
    status = cli("status", "--db", str(example_store.path), "--format", "json")
    assert status.returncode == 0, status.stderr
    exported = cli("export-events", "--db", str(example_store.path), "-o", str(tmp_path / "e.csv"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "e.csv").read_text().count("\n") == 24  # the header and the example's 23 events


def _die_holding(path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from db.models import Actor
        from db.store import Store
        store = Store.open({str(path)!r}, user="ana")
        with store.writing("Add actor") as session:
            session.add(Actor(name="Acknowledged"))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr


def test_a_dead_writers_lock_is_taken_over_and_its_unclean_end_checks_the_file(example_store, monkeypatch):
    path = example_store.path
    example_store.close()
    checked = []
    real_check = store_module._quick_check
    monkeypatch.setattr(store_module, "_quick_check", lambda *a: checked.append(a[0]) or real_check(*a))

    Store.open(path).close()
    assert checked == []  # a clean last session: no page-by-page check on open

    _die_holding(path)
    assert "ana" in lock_path(path).read_text()
    store = Store.open(path, user="tester")
    try:
        assert checked == [path]
        with store.reading() as session:
            assert "Acknowledged" in {actor.name for actor in session.exec(select(Actor))}
    finally:
        store.close()


def test_an_edit_meeting_a_locked_database_is_refused_in_one_sentence(example_store, monkeypatch):
    monkeypatch.setattr(store_module, "PRAGMAS", (*store_module.PRAGMAS, "busy_timeout=50"))
    example_store.engine.dispose()  # connections made from here on wait 50 ms, not 5 s
    with closing(sqlite3.connect(example_store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program writing, e.g. the sqlite3 shell
        with pytest.raises(StorageError) as refused:
            add_actor(example_store, "Blocked")
        other.execute("ROLLBACK")
    assert "is locked by another program; nothing was saved" in str(refused.value)
    assert "Blocked" not in actor_names(example_store.path)


def test_an_edit_meeting_a_full_disk_is_refused_in_one_sentence(example_store):
    with example_store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")  # this pooled connection is now full
    with (
        pytest.raises(StorageError, match="is full; nothing was saved"),
        example_store.writing("Add") as session,
    ):
        session.add_all(Actor(name="x" * 2000 + str(n)) for n in range(200))
    assert not any(name.startswith("xxx") for name in actor_names(example_store.path))


@pytest.mark.parametrize(
    "read_only_disk, file_writable, folder_writable, expected",
    [
        (False, True, True, None),
        (True, True, True, "it is on a read-only disk"),
        (False, False, True, "the file is read-only"),
        (False, True, False, "its folder is read-only"),
    ],
)
def test_why_a_file_cannot_be_written(
    tmp_path, monkeypatch, read_only_disk, file_writable, folder_writable, expected
):
    path = tmp_path / "x.sqlite"
    path.touch()

    class Status:
        f_flag = os.ST_RDONLY if read_only_disk else 0

    monkeypatch.setattr(os, "statvfs", lambda _folder: Status())
    monkeypatch.setattr(os, "access", lambda p, _mode: file_writable if Path(p) == path else folder_writable)
    reason = store_module._unwritable(path)
    assert (reason.split(";")[0] if reason else None) == expected


@pytest.fixture
def read_only_mount(tmp_path, example_store):
    """The example on a really read-only file system (a tmpfs remounted read-only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only file system needs root")
    example_store.close()
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    try:
        (mount / "x.sqlite").write_bytes(example_store.path.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "x.sqlite"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_database_on_a_read_only_disk_opens_read_only_and_says_so(read_only_mount):
    store = Store.open(read_only_mount, access=Access.BEST)
    try:
        assert "cannot be changed: it is on a read-only disk" in store.read_only
        with store.reading() as session:
            assert session.exec(select(Actor)).first() is not None
    finally:
        store.close()
    refused = cli("import-events", "--db", str(read_only_mount), str(DATA / "acled_afghanistan.csv"))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().endswith("copy it to a disk you can write to.")
    assert "damaged" not in refused.stderr
    assert cli("status", "--db", str(read_only_mount)).returncode == 0


def test_another_programs_exclusive_lock_is_named_not_called_damage(example_store):
    example_store.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys, time
            c = sqlite3.connect({str(example_store.path)!r}, isolation_level=None)
            c.execute("PRAGMA locking_mode=EXCLUSIVE"); c.execute("BEGIN EXCLUSIVE")
            print("held", flush=True); time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        status = cli("status", "--db", str(example_store.path))
    finally:
        holder.kill()
        holder.communicate()
    assert status.returncode == 1
    assert "is locked by another program" in status.stderr and "damaged" not in status.stderr
    assert status.stderr.count("\n") == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB file system (tmpfs), to fill up for real."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:
        pass  # full
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_is_called_full_not_damaged(small_disk, example_store):
    example_store.close()
    path = small_disk / "x.sqlite"
    path.write_bytes(example_store.path.read_bytes())
    filler = _fill(small_disk)

    with pytest.raises(StorageError) as refused:
        Store.open(path)
    assert "the disk is full" in str(refused.value) and "damaged" not in str(refused.value)
    store = Store.open(path, access=Access.BEST)
    try:
        assert "the disk is full" in store.read_only
    finally:
        store.close()
    command = cli("import-events", "--db", str(path), str(DATA / "acled_afghanistan.csv"))
    assert command.returncode == 1 and command.stderr.count("\n") == 1
    assert "full" in command.stderr and "damaged" not in command.stderr

    with filler.open("r+b") as handle:  # room for the lock file, not for an import
        handle.truncate(filler.stat().st_size - 64 * 1024)
    store = Store.open(path)
    try:
        with pytest.raises(StorageError, match="is full; nothing was saved"), store.writing("Add") as session:
            session.add_all(Actor(name="y" * 4000 + str(n)) for n in range(400))
    finally:
        store.close()
    assert not any(name.startswith("yyy") for name in actor_names(path))
    assert cli("status", "--db", str(path)).returncode == 0


def test_a_command_line_import_meeting_another_programs_write_lock_says_so(example_store):
    example_store.close()
    with closing(sqlite3.connect(example_store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        command = cli(
            "import-agreement",
            "--db",
            str(example_store.path),
            str(DATA.parent.parent / "resources/examples/doha-2020.json"),
        )
        other.execute("ROLLBACK")
    assert command.returncode == 1 and "Traceback" not in command.stderr
    assert "is locked by another program; nothing was saved" in command.stderr
    assert command.stderr.count("\n") == 1
    assert time.monotonic() - started < 30
