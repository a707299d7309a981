"""Choosing a file to open or save, without touching the files the dialog lists.

Qt's file dialog finds each listed file's icon and type by reading its first bytes (QMimeDatabase),
and every open()/close() of the open database or its -shm in this process drops the process's
SQLite locks on it (DESIGN.md, "Keeping the record whole"). These dialogs name icons and types from
the listing alone, so browsing the database's folder leaves the record locked as it was.
"""

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QStyle, QWidget


class ListingIcons(QAbstractFileIconProvider):
    """Icons and types from the listing (folder or file), never from the file's content."""

    def icon(self, what) -> QIcon:
        folder = (
            what.isDir() if isinstance(what, QFileInfo) else what == QAbstractFileIconProvider.IconType.Folder
        )
        pixmap = QStyle.StandardPixmap.SP_DirIcon if folder else QStyle.StandardPixmap.SP_FileIcon
        return QApplication.style().standardIcon(pixmap)

    def type(self, info: QFileInfo) -> str:
        return "Folder" if info.isDir() else f"{info.suffix().upper()} file".strip()


_ICONS = ListingIcons()  # outlives every dialog that borrows it


def _listing_only(dialog: QFileDialog) -> QFileDialog:
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # a native one would sniff the files
    dialog.setIconProvider(_ICONS)
    return dialog


def open_dialog(parent: QWidget | None, caption: str, folder: str, filters: str) -> QFileDialog:
    dialog = QFileDialog(parent, caption, folder, filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return _listing_only(dialog)


def save_dialog(
    parent: QWidget | None, caption: str, start: str, filters: str, *, confirm_overwrite: bool = True
) -> QFileDialog:
    dialog = QFileDialog(parent, caption, start, filters)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    return _listing_only(dialog)


def _chosen(dialog: QFileDialog) -> str:
    chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
    dialog.deleteLater()
    return chosen[0] if chosen else ""


def open_file_name(parent: QWidget | None, caption: str, folder: str, filters: str) -> str:
    """The chosen existing file, or "" when the officer cancelled."""
    return _chosen(open_dialog(parent, caption, folder, filters))


def save_file_name(
    parent: QWidget | None, caption: str, start: str, filters: str, *, confirm_overwrite: bool = True
) -> str:
    """The file to write, or "" when the officer cancelled."""
    return _chosen(save_dialog(parent, caption, start, filters, confirm_overwrite=confirm_overwrite))
