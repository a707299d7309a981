"""db.atomic_file: every way out of a write leaves the file whole (new or previous) and no temporary."""

import os
import time

import pytest

from db import atomic_file
from db.atomic_file import STALE_SECONDS, atomic_path, framed, not_written, write_atomically
from db.errors import UserError

PREVIOUS = b"%PDF-the previous report\n%%EOF\n"
WHOLE_PDF = framed(b"%PDF-", b"%%EOF")


def _fails_midway(temporary):
    temporary.write_bytes(b"%PDF-half")
    raise RuntimeError("the painter died")


def _says_it_failed(temporary):
    temporary.write_bytes(b"%PDF-" + b"x" * 100)
    raise not_written(temporary.with_name("report.pdf"))


def _reports_nothing(temporary):
    temporary.write_bytes(b"%PDF-" + b"x" * 36_000)  # a full disk: the trailer never came


def _disk_full(temporary):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize(
    ("produce", "error", "message"),
    [
        (_fails_midway, RuntimeError, "the painter died"),
        (_says_it_failed, UserError, "could not be written whole"),
        (_reports_nothing, UserError, "report.pdf could not be written whole"),
        (_disk_full, UserError, r"report.pdf cannot be written \(No space left on device\)"),
    ],
)
def test_every_failure_leaves_the_previous_file_and_no_temporary(tmp_path, produce, error, message):
    path = tmp_path / "report.pdf"
    path.write_bytes(PREVIOUS)
    with pytest.raises(error, match=message), atomic_path(path, whole=WHOLE_PDF) as temporary:
        produce(temporary)
    assert path.read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == ["report.pdf"]


def test_a_whole_file_is_synced_then_renamed_into_place(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(
        atomic_file.os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real(fd)
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(PREVIOUS)
    with atomic_path(path, whole=WHOLE_PDF) as temporary:
        temporary.write_bytes(b"%PDF-new\n%%EOF")
    assert path.read_bytes() == b"%PDF-new\n%%EOF"
    assert os.stat(path).st_mode & 0o777 == 0o644
    assert synced[0] == str(temporary) and synced[-1] == str(tmp_path)  # the bytes, then the rename
    assert sorted(os.listdir(tmp_path)) == ["report.pdf"]


def test_a_text_writer_that_fails_at_close_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "events.csv"
    path.write_text("previous")

    def write(handle):
        handle.write("new")
        monkeypatch.setattr(
            handle, "flush", lambda: (_ for _ in ()).throw(OSError(28, "No space left on device"))
        )

    with pytest.raises(UserError, match="No space left on device"):
        write_atomically(path, write)
    assert path.read_text() == "previous"


def test_a_killed_exports_stale_temporaries_are_removed(tmp_path):
    path = tmp_path / "report.pdf"
    stale, fresh, other = (
        tmp_path / name for name in (".report.pdf.k1ll3d.part", ".report.pdf.n0w.part", ".other.pdf.x.part")
    )
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_atomically(path, lambda handle: handle.write("whole"))
    # a fresh one may be another export's, at work now
    assert sorted(os.listdir(tmp_path)) == sorted([fresh.name, other.name, "report.pdf"])
