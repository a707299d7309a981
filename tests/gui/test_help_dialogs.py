"""Help ▸ Keyboard shortcuts lists what the window's actions really have; Help ▸ User guide shows the
README's usage offline, screenshots included."""

from collections import Counter

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence, QTextDocument

from gui.help_dialogs import ShortcutsDialog, UserGuide, guide_markdown, window_shortcuts
from tests.test_readme import ROOT

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def keyed_actions(window) -> list[QAction]:
    return [a for a in window.findChildren(QAction) if a.shortcuts()]


def test_every_action_with_a_shortcut_is_listed_once_with_its_keys(window):
    listed = window_shortcuts(window)
    assert len(listed) == len(keyed_actions(window)) > 15
    rows = {(action, keys) for _where, action, keys, _tip in listed}
    assert ("Undo", "Ctrl+Z, Alt+Backspace") in rows
    assert ("Redo", "Ctrl+Y, Alt+Shift+Backspace, Ctrl+Shift+Z") in rows
    assert ("Edit obligation", "F2") in rows
    assert ("Keyboard shortcuts", "Ctrl+/") in rows
    where = {action: menu for menu, action, _keys, _tip in listed}
    assert where["Export summary"] == "File" and where["Expand all"] == "View"


def test_the_list_is_made_from_the_actions_not_kept_by_hand(window):
    extra = QAction("Count the prisoners", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+P"))
    extra.setStatusTip("A new action")
    window.addAction(extra)
    assert ("Elsewhere", "Count the prisoners", "Ctrl+Alt+P", "A new action") in window_shortcuts(window)


def test_no_two_actions_of_the_window_share_a_key(window):
    """Qt calls a key two actions share "ambiguous" and runs neither."""
    keys = Counter(
        key.toString() for action in keyed_actions(window) for key in action.shortcuts()
        if action.shortcutContext() != action.shortcutContext().WidgetShortcut
    )  # fmt: skip
    assert [key for key, count in keys.items() if count > 1] == []


def test_the_shortcuts_dialog_shows_the_list(window, qtbot):
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    table = dialog.table
    shown = [tuple(table.item(r, c).text() for c in range(4)) for r in range(table.rowCount())]
    assert shown == window_shortcuts(window)


def test_the_user_guide_is_the_readmes_usage_with_its_screenshots(window, qtbot):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    usage = readme[readme.index("## Using it"):readme.index("## Layout")].rstrip()
    assert guide_markdown() == f"# Accord Desk user guide\n\n{usage}\n"
    guide = UserGuide(window)
    qtbot.addWidget(guide)
    text = guide.browser.toPlainText()
    assert "The obligation tree." in text and "accord-desk check [--db FILE]" in text
    assert "Set up" not in text
    image = guide.browser.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl("resources/screenshot-event-log.png")
    )
    assert image is not None and not image.isNull()
