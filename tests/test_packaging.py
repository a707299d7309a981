"""A non-editable install carries the example data and the migrations, not only the code."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_works_without_the_source_tree(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",  # the test extra's setuptools: no download, so no network wait
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
        ],
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("accord_desk-*.whl")
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        guide = archive.read("resources/README.md")  # Help ▸ User guide: the link became a copy
        archive.extractall(installed)
    assert guide == (ROOT / "README.md").read_bytes()
    assert "resources/screenshot-event-log.png" in names
    assert "resources/examples/doha-2020.json" in names
    assert "db/migrations/versions/0001_record.py" in names
    assert any(name.endswith("entry_points.txt") for name in names)
    probe = (
        "import sys, db; from pathlib import Path; from db.examples import create_database; "
        f"assert Path(db.__file__).is_relative_to({str(installed)!r}), db.__file__; "
        f"create_database(Path({str(tmp_path / 'a.sqlite')!r})).close(); print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed)},
        timeout=120,
    )
    assert done.stdout.strip() == "ok", done.stderr
