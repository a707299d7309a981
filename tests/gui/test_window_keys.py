"""The window's commands work from its text and date fields (found under Xvfb: Ctrl+E did nothing there)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from gui.field_keys import window_takes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb (xvfb-run) for Qt's X11 key scheme")
def test_ctrl_e_opens_the_event_form_from_every_field_under_x11(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m", "tests.gui.keys_in_fields"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found.pop("x11 scheme"), "Qt's X11 key scheme binds Ctrl+E to the end of the line"
    assert found.pop("ctrl+k edits") == "Kabul"  # the field keeps the keys it edits with
    assert found.pop("end moves") == len("Kabul")
    assert found == dict.fromkeys(("tree", "as of", "obligation filter", "event search", "from date", "actor"), True)


# The keys Qt's X11 scheme binds to editing (measured under Xvfb, PySide6 6.11): Ctrl+E is only "end of
# line" there, so it is not among them.
X11_EDITING = frozenset(
    QKeySequence(text)
    for text in ("Ctrl+C", "Ctrl+X", "Ctrl+V", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+A", "Del", "Ctrl+D", "Backspace",
                 "Ctrl+Backspace", "Ctrl+Del", "Ctrl+K", "Ctrl+U", "Ctrl+B", "Ctrl+I")  # fmt: skip
)


@pytest.mark.parametrize(
    ("key", "window"),
    [
        ("Ctrl+E", True),  # New event…, though X11 also binds it to the end of the line
        ("Ctrl+Shift+N", True),
        ("Ctrl+T", True),
        ("Ctrl+K", False),  # delete to the end of the line: the field's
        ("Ctrl+D", False),  # delete a character on X11 (and Delete obligation): the field's
        ("Ctrl+Z", False),  # the field's own undo of what was typed
        ("Ctrl+Shift+Z", False),
        ("Ctrl+A", False),
        ("Ctrl+Left", False),
        ("Ctrl+Shift+Right", False),  # select a word, not Expand all
        ("E", False),
        ("Shift+E", False),
        ("Alt+E", False),  # a mnemonic, Qt's own business
    ],
)
def test_which_keys_a_field_leaves_to_the_window(key, window):
    assert window_takes(QKeySequence(key)[0], X11_EDITING) is window
