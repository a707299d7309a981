"""After writing a summary the window says where it is, links to its folder, and says so in one
sentence when no application opens it — nothing on stderr."""

import os
import stat

import pytest

from gui.export_summary_dialog import Written
from gui.open_file import open_externally

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _said(opened) -> bool:
    """The launcher wrote its line: `>>` creates the file before it writes, which a loaded machine shows."""
    return opened.exists() and opened.read_text().endswith("\n")


def _launcher(folder, exit_code: int):
    """An xdg-open that records what it was asked to open and ends with exit_code."""
    script = folder / "xdg-open"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{folder}/opened"\necho "no method available" >&2\nexit {exit_code}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder / "opened"


@pytest.mark.parametrize("launcher", ["missing", "fails"])
def test_no_viewer_is_one_sentence_and_no_noise(qtbot, tmp_path, monkeypatch, capfd, launcher):
    tools = tmp_path / "bin"
    tools.mkdir()
    if launcher == "fails":
        _launcher(tools, 3)  # xdg-open's "a required tool could not be found"
    monkeypatch.setenv("PATH", str(tools))
    said = []
    target = tmp_path / "chief.pdf"
    target.write_bytes(b"%PDF-")
    open_externally(target, None, said.append)
    qtbot.waitUntil(lambda: bool(said))
    assert said == [f"No application on this computer opened {target}; open it from your file manager."]
    assert capfd.readouterr().err == ""


def test_a_viewer_that_opens_it_says_nothing(qtbot, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    opened = _launcher(tools, 0)
    monkeypatch.setenv("PATH", str(tools) + os.pathsep + os.environ["PATH"])
    said = []
    open_externally(tmp_path, None, said.append)
    qtbot.waitUntil(lambda: _said(opened))
    qtbot.wait(50)
    assert said == [] and opened.read_text() == f"{tmp_path}\n"


def test_the_status_bar_says_where_the_summary_went(qtbot, window, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    opened = _launcher(tools, 0)
    monkeypatch.setenv("PATH", str(tools))
    path = tmp_path / "out" / "chief.pdf"
    window.show_written(Written(path, 6))
    assert window.written_label.text() == f"Wrote {path}, 6 pages."
    assert window.folder_link.isVisible() and "Open its folder" in window.folder_link.text()
    window.folder_link.linkActivated.emit("folder")
    qtbot.waitUntil(lambda: _said(opened))
    assert opened.read_text() == f"{path.parent}\n"


def test_the_status_bar_tells_when_the_folder_does_not_open(qtbot, window, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open at all
    window.show_written(Written(tmp_path / "chief.docx", None))
    assert window.written_label.text() == f"Wrote {tmp_path / 'chief.docx'}."
    window.open_written_folder()
    qtbot.waitUntil(lambda: "No application" in window.written_label.text())
    assert window.written_label.text() == (
        f"No application on this computer opened {tmp_path}; open it from your file manager."
    )
    assert capfd.readouterr().err == ""
