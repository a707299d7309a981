"""Opening a written file, or its folder, in the desktop's own application — and saying so when none does.

On Linux Qt hands the file to xdg-open and reports success once that has started, whatever follows
(no xdg-open at all only gives "Unable to detect a launcher" on stderr). xdg-open is therefore run
here as a QProcess whose end is watched: exit status 0 is an opened file, anything else — no
xdg-open, no desktop, no application for the type — is one sentence for the officer, and nothing
reaches stderr (the process's output is kept and dropped).
"""

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices

Failed = Callable[[str], None]  # told one sentence when nothing opened the file


def _said(target: Path) -> str:
    return f"No application on this computer opened {target}; open it from your file manager."


def open_externally(target: Path, parent: QObject, failed: Failed) -> None:
    """Ask the desktop to open a file or a folder; `failed` hears why when nothing opens it."""
    if not sys.platform.startswith("linux"):
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            failed(_said(target))
        return
    process = QProcess(parent)

    def ended(code: int, status: QProcess.ExitStatus) -> None:
        if status != QProcess.ExitStatus.NormalExit or code != 0:
            failed(_said(target))
        process.deleteLater()

    def error(problem: QProcess.ProcessError) -> None:
        if problem == QProcess.ProcessError.FailedToStart:  # no xdg-open: finished() never comes
            failed(_said(target))
            process.deleteLater()

    process.finished.connect(ended)
    process.errorOccurred.connect(error)
    process.start("xdg-open", [str(target)])
