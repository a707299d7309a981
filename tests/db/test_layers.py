"""db/ is usable without Qt: importing all of it loads neither PySide6, pyqtgraph nor gui."""

import pkgutil
import subprocess
import sys

import db


def test_db_imports_no_qt():
    modules = [f"db.{m.name}" for m in pkgutil.iter_modules(db.__path__) if m.name != "migrations"]
    probe = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui')]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(modules) >= 8
