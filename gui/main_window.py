"""The main window: the obligation tree in the middle, the detail panel docked on the right, the
trajectory plot, the status summary and the event log docked below, the agreement switcher, the as-of date and the
status filter in the toolbar, the database's file name in the title and the counts in the status bar.
File handling (new, open, recent, PDF export) lives here too."""

from collections import Counter
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from db import audit
from db.agreements import agreement_extent, agreement_fields
from db.errors import UserError
from db.location import Location, same_database
from db.officer import officer, officer_label, save_officer
from db.search import Hit
from db.store import Access, Store, default_database_path
from db.tree import list_actors
from db.vocabulary import STATUS_SEVERITY, Status
from gui import file_dialog
from gui.actions import key_sequences, make_action
from gui.agreement_dialog import AgreementDialog
from gui.backup_dialog import BackUpNow, RestoreDialog, back_up_on_opening
from gui.commands import AddAgreement, DeleteAgreement, EditAgreement
from gui.date_edit import DateEdit
from gui.deadlines_view import DeadlinesView
from gui.desk import Desk
from gui.event_log_view import EventLogView
from gui.field_keys import FieldKeys
from gui.history_views import AuditTrailDialog, RecordHistory
from gui.long_work import LongWork
from gui.obligation_actions import ObligationActions, agreement_deletion_question
from gui.obligation_panel import ObligationPanel
from gui.obligation_tree import ObligationTree
from gui.officer import OfficerDialog
from gui.open_file import open_externally
from gui.plain_text import confirm, plain_label, show_error, tooltip
from gui.recent_files import recent_databases, remember_database
from gui.settings_words import move_words_from_settings
from gui.status_summary import StatusSummary
from gui.team_window import TeamDesk
from gui.trajectory_panel import TrajectoryPanel

if TYPE_CHECKING:
    from gui.exchange_dialog import ReceiveDialog
    from gui.export_summary_dialog import Written

DEFAULT_SIZE = (1400, 900)
STATE_VERSION = 3  # the deadlines dock arrived
DATABASE_FILTER = "Accord Desk databases (*.sqlite *.db);;All files (*)"  # README names them x.db


def app_version() -> str:
    try:
        return metadata.version("accord-desk")
    except metadata.PackageNotFoundError:
        return "development version"


class MainWindow(QMainWindow):
    def __init__(self, desk: Desk, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.desk = desk
        self.settings = settings or QSettings()  # the application's (organisation, name) by default
        self.tree = ObligationTree(desk)
        self.tree.setContentsMargins(6, 6, 0, 6)
        self._refusal_said: str | None = None  # the status bar says an agreement's refusal once, as it comes
        self.read_only_banner = plain_label()
        self.read_only_banner.setAccessibleName("Read-only")
        self.read_only_banner.setStyleSheet(
            "QLabel { background: #fff3cd; color: #533f03; border: 1px solid #e0c36a; padding: 6px; }"
        )
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.tree)
        self.setCentralWidget(central)
        self.panel = ObligationPanel(desk)
        self.history = RecordHistory(desk)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.setDocumentMode(True)
        self.detail_tabs.addTab(self.panel, "&Details")
        self.detail_tabs.addTab(self.history, "Histor&y")
        self.detail_dock = QDockWidget("Obligation", self)
        self.detail_dock.setObjectName("obligation_detail")
        self.detail_dock.setWidget(self.detail_tabs)
        self.detail_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        self.trajectory = TrajectoryPanel(desk, following=self.tree.selected_id())
        self.trajectory_dock = self._dock(
            "Trajectory", "trajectory", self.trajectory, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.summary = StatusSummary(desk)
        self.summary_dock = self._dock(
            "Status by party", "status_summary", self.summary, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.event_log = EventLogView(desk)
        self.event_log_dock = self._dock(
            "Event log", "event_log", self.event_log, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.deadlines = DeadlinesView(desk)
        self.deadlines_dock = self._dock(
            "Deadlines ahead", "deadlines_ahead", self.deadlines, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.summary_dock, self.trajectory_dock)
        self.tabifyDockWidget(self.trajectory_dock, self.event_log_dock)
        self.tabifyDockWidget(self.event_log_dock, self.deadlines_dock)
        self.trajectory_dock.raise_()
        self.obligation_actions = ObligationActions(self, desk, self.tree)
        self.counts_label = plain_label(wrap=False)
        self.next_deadline_label = plain_label(wrap=False)
        self.next_deadline_label.setContentsMargins(0, 0, 16, 0)
        self.statusBar().addPermanentWidget(self.next_deadline_label)
        self.statusBar().addPermanentWidget(self.counts_label)
        # Where the last summary went, and a way to its folder (the link's text is ours, never a path).
        self.written_label = plain_label(wrap=False)
        self.folder_link = QLabel('<a href="folder">Open its folder</a>')
        self.folder_link.setTextFormat(Qt.TextFormat.RichText)
        self.folder_link.linkActivated.connect(lambda _link: self.open_written_folder())
        self.folder_link.setVisible(False)
        self.written: Path | None = None
        self.statusBar().addWidget(self.written_label)
        self.statusBar().addWidget(self.folder_link)

        self._make_toolbar()
        self._make_menus()
        self.panel.correct_requested.connect(self.obligation_actions.correct)
        self.panel.withdraw_requested.connect(self.obligation_actions.withdraw)
        self.deadlines.obligation_chosen.connect(self.go_to_obligation)
        self.tree.obligation_selected.connect(self.panel.show_obligation)
        self.tree.obligation_selected.connect(self.history.follow_obligation)
        self.event_log.event_selected.connect(self.history.follow_event)
        self.tree.obligation_selected.connect(self.trajectory.follow_obligation)
        self.tree.obligation_selected.connect(self.event_log.follow_obligation)
        self.event_log.follow_obligation(self.tree.selected_id())
        # Bound methods, not lambdas: Qt drops them when the window goes, even if the desk stays.
        desk.action_failed.connect(self._report)
        desk.as_of_changed.connect(self._show_as_of)
        for signal in (desk.record_changed, desk.as_of_changed, desk.agreement_changed, desk.store_replaced):
            signal.connect(self._refresh_shell)
        desk.store_replaced.connect(self._remember_store)
        desk.store_replaced.connect(self._move_words_from_settings)
        self.panel.show_obligation(self.tree.selected_id())
        self.history.follow_obligation(self.tree.selected_id())
        self._refresh_shell()
        self._remember_store()
        self._move_words_from_settings()
        self._restore_layout()
        self.team = TeamDesk(self)  # on a team database: other officers' changes, in the status bar
        self.field_keys = FieldKeys(self)  # Ctrl+E and the other commands work from the fields too
        self.tree.view.setFocus()

    # --- building ------------------------------------------------------------------------------

    def _action(self, text: str, slot, *shortcuts, tip: str = "") -> QAction:
        return make_action(self, text, slot, *shortcuts, tip=tip)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _make_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("main_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        self.agreement_combo = QComboBox()
        self.agreement_combo.setAccessibleName("Agreement")
        self.agreement_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.agreement_combo.activated.connect(
            lambda row: self.desk.set_agreement(self.agreement_combo.itemData(row))
        )
        self.agreement_label_action = bar.addWidget(QLabel(" Agreement "))
        self.agreement_combo_action = bar.addWidget(self.agreement_combo)
        self.agreement_separator = bar.addSeparator()
        bar.addWidget(QLabel(" As of "))
        self.as_of_edit = DateEdit()
        self.as_of_edit.setAccessibleName("As of")
        self.as_of_edit.setKeyboardTracking(False)  # re-evaluate when the date is complete, not per digit
        self.as_of_edit.setToolTip("Every status in the window is evaluated as of this date")
        self._show_as_of(self.desk.as_of)
        self.as_of_edit.dateChanged.connect(lambda qdate: self.desk.set_as_of(qdate.toPython()))
        bar.addWidget(self.as_of_edit)
        self.today_action = self._action(
            "Today", lambda: self.desk.set_as_of(date.today()), "Ctrl+T", tip="Evaluate as of today"
        )
        bar.addAction(self.today_action)
        bar.addWidget(QLabel("  Status "))
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Show obligations with status")
        self.status_filter.addItem("Any", None)
        for status in STATUS_SEVERITY:
            self.status_filter.addItem(status.label, status)
        self.status_filter.currentIndexChanged.connect(
            lambda _: self.tree.proxy.set_status(self.status_filter.currentData())
        )
        bar.addWidget(self.status_filter)
        bar.addSeparator()
        actions = self.obligation_actions
        for action in (actions.add_sibling, actions.add_child, actions.edit, actions.delete, None, actions.move_up,
                       actions.move_down, None, actions.add_assessment):  # fmt: skip
            if action is None:
                bar.addSeparator()
            else:
                bar.addAction(action)

    def _make_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self._action("&New database…", self.new_database, tip="Create a database file"))
        menu.addAction(
            self._action(
                "&Open…", self.open_database, QKeySequence.StandardKey.Open, tip="Open a database file"
            )
        )
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addMenu(self.recent_menu)
        menu.addAction(self._action(
            "Connect to a &team database…", self.connect_to_team_database,
            tip="Open the record your team shares on a PostgreSQL server",
        ))  # fmt: skip
        menu.addSeparator()
        self.new_agreement_action = self._action(
            "New &agreement…", self.new_agreement, tip="Add an agreement to review"
        )
        menu.addAction(self.new_agreement_action)
        self.edit_agreement_action = self._action(
            "Edit a&greement…", self.edit_agreement, tip="Rename the agreement, change its date, place or parties"
        )
        self.delete_agreement_action = self._action(
            "De&lete agreement…", self.delete_agreement, tip="Delete the agreement with everything it holds"
        )
        menu.addAction(self.edit_agreement_action)
        menu.addAction(self.delete_agreement_action)
        menu.addSeparator()
        self.export_summary_action = self._action(
            "&Export summary…",
            self.export_summary,
            QKeySequence.StandardKey.Print,
            tip="A summary to hand to your chief, as PDF or as Word to edit",
        )
        menu.addAction(self.export_summary_action)
        menu.addSeparator()
        self.event_log.import_action.setText("&Import events…")
        self.event_log.export_action.setText("Export e&vents…")
        menu.addAction(self.event_log.import_action)
        menu.addAction(self.event_log.export_action)
        menu.addSeparator()
        self.send_action = self._action(
            "Sen&d to another desk…", self.send_to_another_desk,
            tip="Write the record as one file for another desk to receive",
        )  # fmt: skip
        self.receive_action = self._action(
            "Re&ceive from another desk…", self.receive_from_another_desk,
            tip="Merge a file another desk sent: what it adds, changes and where both desks changed a record",
        )  # fmt: skip
        menu.addAction(self.send_action)
        menu.addAction(self.receive_action)
        menu.addSeparator()
        self.back_up_action = self._action(
            "&Back up now…", self.back_up_now, tip="Copy the record into its backups folder"
        )
        self.restore_action = self._action(
            "Restore from bac&kup…",
            self.restore_from_backup,
            tip="Replace the record with one of its backups",
        )
        menu.addAction(self.back_up_action)
        menu.addAction(self.restore_action)
        menu.addSeparator()
        menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Ctrl+Q"))

        menu = self.menuBar().addMenu("&Edit")
        stack = self.desk.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(key_sequences(QKeySequence.StandardKey.Undo))
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(key_sequences(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        # The stack's actions keep their text and enabled state; the work goes through the desk, which
        # shows the change's agreement first and steps the stack only once the database took the change.
        for action, slot in ((self.undo_action, self.desk.undo), (self.redo_action, self.desk.redo)):
            action.triggered.disconnect()
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        menu.addSeparator()
        self.filter_action = self._action(
            "&Filter obligations", self.tree.focus_filter, QKeySequence.StandardKey.Find
        )
        menu.addAction(self.filter_action)
        self.find_action = self._action(
            "Find an&ything…", self.find_anything, "Ctrl+K",
            tip="Search obligations, events, assessments and actors",
        )  # fmt: skip
        menu.addAction(self.find_action)
        menu.addAction(self._action(
            "Officer'&s name and unit…", self.edit_officer, tip="Your name and unit, as reports and the record show them"
        ))  # fmt: skip
        menu.addSeparator()
        for action in self.obligation_actions.all():
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.addSeparator()
        log = self.event_log  # Ctrl+E even while the event log's tab is hidden
        for action in (log.new_action, log.edit_action, log.duplicate_action, log.delete_action):
            menu.addAction(action)

        menu = self.menuBar().addMenu("&View")
        menu.addAction(self.today_action)
        menu.addSeparator()
        menu.addAction(self._action("E&xpand all", self.tree.expand_all, "Ctrl+Shift+Right"))
        menu.addAction(self._action("&Collapse all", self.tree.collapse_all, "Ctrl+Shift+Left"))
        menu.addSeparator()
        menu.addAction(self.detail_dock.toggleViewAction())
        menu.addAction(self.trajectory_dock.toggleViewAction())
        menu.addAction(self.summary_dock.toggleViewAction())
        menu.addAction(self.event_log_dock.toggleViewAction())
        menu.addAction(self.deadlines_dock.toggleViewAction())
        menu.addSeparator()
        self.audit_trail_action = self._action(
            "Audit &trail…", self.audit_trail, "Ctrl+Shift+H", tip="Every change to the record: who, when, what"
        )
        menu.addAction(self.audit_trail_action)
        self.actors_action = self._action(
            "&Actors…", self.actors, tip="Every actor: aliases, events, obligations, roles; rename and merge"
        )
        menu.addAction(self.actors_action)

        menu = self.menuBar().addMenu("&Help")
        menu.addAction(self._action("&User guide", self.user_guide, QKeySequence.StandardKey.HelpContents))
        menu.addAction(self._action("&Keyboard shortcuts", self.keyboard_shortcuts, "Ctrl+/"))
        menu.addSeparator()
        menu.addAction(self._action("&Check the record…", self.check_record))
        menu.addAction(self._action("&About Accord Desk", self.about))

    # --- following the desk ---------------------------------------------------------------------

    def _refresh_shell(self) -> None:
        agreements = self.desk.agreements()
        self.agreement_combo.clear()
        for agreement in agreements:
            self.agreement_combo.addItem(agreement.label, agreement.id)
            place = ", ".join(
                p for p in (agreement.place, agreement.signed_on and f"signed {agreement.signed_on}") if p
            )
            self.agreement_combo.setItemData(
                self.agreement_combo.count() - 1, tooltip(agreement.title, place), Qt.ItemDataRole.ToolTipRole
            )
        self.agreement_combo.setCurrentIndex(self.agreement_combo.findData(self.desk.agreement_id))
        several = len(agreements) > 1
        for action in (self.agreement_label_action, self.agreement_combo_action, self.agreement_separator):
            action.setVisible(several)
        self.counts_label.setText(self.counts_text())
        self.next_deadline_label.setText(self.deadlines.next_deadline_text() if agreements else "")
        agreement = next((a for a in agreements if a.id == self.desk.agreement_id), None)
        store = self.desk.store
        read_only = store.read_only if store else None
        # An agreement the officer may not change (the team server refuses it) is read-only too.
        refusal = self.desk.refusal() if store else None
        if refusal != self._refusal_said:
            self._refusal_said = refusal
            if refusal and not read_only:
                self.statusBar().showMessage(refusal)
        self.read_only_banner.setText(f"Read-only: {refusal}" if refusal else "")
        self.read_only_banner.setVisible(bool(refusal))
        parts = [(store.name + (" (read-only)" if read_only else "")) if store else "no database"]
        if agreement:
            parts.append(agreement.label + (" (read-only)" if refusal and not read_only else ""))
        self.setWindowTitle(" — ".join([*parts, "Accord Desk"]))
        self.new_agreement_action.setEnabled(store is not None and store.refusal(None) is None)
        self.send_action.setEnabled(store is not None)
        on_file = store is not None and store.path is not None  # a server's backups are pg_dump's (db.backup.on_server)
        self.back_up_action.setEnabled(on_file)
        self.restore_action.setEnabled(on_file and not read_only)
        self.receive_action.setEnabled(store is not None and not read_only)
        for action in (self.edit_agreement_action, self.delete_agreement_action):
            action.setEnabled(agreement is not None and not refusal)
        self.obligation_actions.update_enabled()

    def find_anything(self) -> None:
        if self.desk.store is not None:
            from gui.search_dialog import SearchDialog

            dialog = SearchDialog(self.desk, self)
            dialog.chosen.connect(self.go_to)
            dialog.open()

    def go_to(self, hit: Hit) -> None:
        """A hit of Find anything: its obligation in the tree, its event in the log (or its form, when the
        log's page does not hold it), an actor's events."""
        if hit.agreement_id and hit.agreement_id != self.desk.agreement_id:
            self.desk.set_agreement(hit.agreement_id)
        if hit.kind in ("obligation", "assessment"):
            self.go_to_obligation(hit.goes_to)
            return
        self.event_log_dock.show()
        self.event_log_dock.raise_()
        if hit.kind == "actor":
            self.event_log.show_actor(hit.heading)
        elif not self.event_log.select(hit.goes_to):
            self.event_log.edit_event(hit.goes_to)

    def audit_trail(self) -> None:
        if self.desk.store is not None:
            AuditTrailDialog(self.desk, self).open()

    def actors(self) -> None:
        if self.desk.store is not None:
            from gui.actors_dialog import ActorsDialog

            ActorsDialog(self.desk, self).open()

    def user_guide(self) -> None:
        from gui.help_dialogs import UserGuide

        UserGuide(self).open()

    def keyboard_shortcuts(self) -> None:
        from gui.help_dialogs import ShortcutsDialog

        ShortcutsDialog(self).open()

    def go_to_obligation(self, obligation_id: str) -> None:
        """Select the obligation in the tree, clearing the filters if they hide it."""
        if not self.tree.select(obligation_id):
            self.tree.filter_edit.clear()
            self.status_filter.setCurrentIndex(0)
            self.tree.select(obligation_id)
        self.tree.view.setFocus()

    def _report(self, message: str) -> None:
        show_error(self, message)

    def counts_text(self) -> str:
        nodes = [n for root in self.desk.tree() for n in root.walk() if not n.is_section]
        by_status = Counter(n.standing.status for n in nodes)
        parts = [f"{len(nodes)} obligation" + ("" if len(nodes) == 1 else "s")]
        # What needs the officer, then what is done; overdue and met even at none.
        shown = (Status.OVERDUE, Status.BREACHED, Status.AT_RISK, Status.DISPUTED, Status.SUSPENDED, Status.MET,
                 Status.MET_LATE)  # fmt: skip
        for status in shown:
            if by_status[status] or status in (Status.OVERDUE, Status.MET):
                parts.append(f"{by_status[status]} {status.label.lower()}")
        parts.append(f"as of {self.desk.as_of.isoformat()}")
        return " · ".join(parts)

    def _show_as_of(self, as_of: date) -> None:
        self.as_of_edit.blockSignals(True)
        self.as_of_edit.set_day(as_of)
        self.as_of_edit.blockSignals(False)

    def _move_words_from_settings(self) -> None:
        try:
            move_words_from_settings(self.desk, self.settings)
        except UserError as error:  # the words stay in the settings, to be moved at the next opening
            self.desk.report(str(error))

    def _remember_store(self) -> None:
        if self.desk.store is not None:
            remember_database(self.settings, self.desk.store.location)

    # --- files ------------------------------------------------------------------------------------

    def _start_folder(self) -> str:
        store = self.desk.store
        return str(store.folder if store else default_database_path().parent)

    def new_database(self) -> None:
        chosen = file_dialog.save_file_name(
            self, "New database", str(Path(self._start_folder()) / "agreements.sqlite"), DATABASE_FILTER,
            confirm_overwrite=False,  # Store.create refuses an existing file itself
        )  # fmt: skip
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".sqlite")
        with_example = self.ask_example()
        if with_example is None:
            return
        from db.examples import DEFAULT_EXAMPLE, create_database  # the agreement reader: for a new file only

        try:
            store = create_database(path, DEFAULT_EXAMPLE if with_example else None, officer_label())
        except UserError as error:
            show_error(self, str(error))
            return
        self.desk.replace_store(store)
        if not with_example:
            self.new_agreement()

    def ask_example(self) -> bool | None:
        """True: seed the new database with the bundled example; False: start empty; None: cancel."""
        box = QMessageBox(
            QMessageBox.Icon.Question, "New database", "", QMessageBox.StandardButton.NoButton, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            "Start the new database with the bundled example agreement (the US–Taliban agreement of "
            "29 February 2020), or empty with an agreement of your own?"
        )
        example = box.addButton("Add the example", QMessageBox.ButtonRole.YesRole)
        empty = box.addButton("Start empty", QMessageBox.ButtonRole.NoRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return True if clicked is example else False if clicked is empty else None

    def open_database(self) -> None:
        chosen = file_dialog.open_file_name(self, "Open database", self._start_folder(), DATABASE_FILTER)
        if chosen:
            self.open_path(Path(chosen))

    def open_path(self, path: Location) -> bool:
        current = self.desk.store
        if current is not None and same_database(path, current.location):
            return True  # already open here; a second opening would only find it locked by this window
        try:
            store = Store.open(path, officer_label(), access=Access.BEST)
        except UserError as error:
            show_error(self, str(error))
            return False
        self.desk.replace_store(store)
        back_up_on_opening(self.desk)
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        current = self.desk.store.location if self.desk.store else None
        paths = recent_databases(self.settings)
        for number, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{number} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setEnabled(current is None or not same_database(path, current))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction("No recent databases").setEnabled(False)

    def new_agreement(self) -> None:
        if self.desk.store is None:
            return
        dialog = AgreementDialog(self)
        if dialog.exec() == AgreementDialog.DialogCode.Accepted:
            values = dialog.values()
            self.desk.execute(
                AddAgreement(self.desk, values.title, values.short_title, values.signed_on, values.place)
            )

    def check_record(self) -> None:
        if self.desk.store is not None:
            from gui.check_dialog import CheckDialog

            self.check_dialog = CheckDialog(self.desk.store, self)
            self.check_dialog.show()

    def back_up_now(self) -> BackUpNow | None:
        return BackUpNow(self.desk, self) if self.desk.store is not None else None

    def restore_from_backup(self) -> RestoreDialog | None:
        if self.desk.store is None or self.desk.store.read_only:
            return None
        dialog = RestoreDialog(self.desk, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def send_to_another_desk(self) -> LongWork | None:
        from gui import exchange_dialog

        return exchange_dialog.send_to_another_desk(self.desk, self)

    def receive_from_another_desk(self) -> "ReceiveDialog | None":
        from gui import exchange_dialog

        return exchange_dialog.receive_from_another_desk(self.desk, self)

    def edit_agreement(self) -> None:
        agreement_id = self.desk.agreement_id
        if agreement_id is None:
            return
        with self.desk.store.reading() as session:
            current, read = agreement_fields(session, agreement_id), audit.versions_read(session)
            actors = list_actors(session)
        dialog = AgreementDialog(self, current, actors)
        if dialog.exec() == AgreementDialog.DialogCode.Accepted and dialog.values() != current:
            self.desk.execute(EditAgreement(self.desk, agreement_id, dialog.values()).read_at(read))

    def delete_agreement(self) -> None:
        agreement = self.desk.agreement()
        if agreement is None:
            return
        with self.desk.store.reading() as session:
            extent = agreement_extent(session, agreement.id)
        if confirm(self, "Delete agreement", agreement_deletion_question(agreement.label, extent), "Delete"):
            self.desk.execute(DeleteAgreement(self.desk, agreement.id, agreement.label))

    def about(self) -> None:
        store = self.desk.store
        lines = [
            f"Accord Desk {app_version()}",
            "A desk officer's record of whether the parties to an agreement keep their commitments.",
            f"This database: {store.location if store else 'none open'}",
            f"Default database, in your data folder: {default_database_path()}",
        ]
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About Accord Desk",
            "\n\n".join(lines),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    # --- remembering the layout -----------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(*DEFAULT_SIZE)
            self.resizeDocks([self.detail_dock], [480], Qt.Orientation.Horizontal)
            self.resizeDocks([self.trajectory_dock], [440], Qt.Orientation.Vertical)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state, STATE_VERSION)
        header = self.settings.value("window/tree_header")
        if isinstance(header, QByteArray):
            self.tree.restore_header(header)
        columns = self.settings.value("window/event_log_header")
        if isinstance(columns, QByteArray):
            self.event_log.restore_columns(columns)

    def export_summary(self) -> None:
        if self.desk.agreement_id is None:
            show_error(self, "There is no agreement to report on; create or import one first.")
            return
        from gui.export_summary_dialog import ExportSummaryDialog

        dialog = ExportSummaryDialog(self.desk, self, self.settings)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.written is not None:
            self.show_written(dialog.written)
            if dialog.open_after.isChecked():
                open_externally(dialog.written.path, self, self.written_label.setText)

    def show_written(self, written: "Written") -> None:
        """The status bar says where the summary went, with a link to its folder."""
        pages = f", {written.pages} pages" if written.pages else ""
        self.written = written.path
        self.written_label.setText(f"Wrote {written.path}{pages}.")
        self.folder_link.setVisible(True)

    def open_written_folder(self) -> None:
        if self.written is not None:
            open_externally(self.written.parent, self, self.written_label.setText)

    def edit_officer(self) -> None:
        dialog = OfficerDialog(officer(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            save_officer(dialog.chosen())
            if self.desk.store is not None:  # the audit's who and the lock's holder from now on
                self.desk.store.sign_as(dialog.chosen().label)

    def connect_to_team_database(self) -> None:
        self.team.connect_to_team_database()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.team.stop()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(STATE_VERSION))
        self.settings.setValue("window/tree_header", self.tree.header_state())
        self.settings.setValue("window/event_log_header", self.event_log.columns_state())
        super().closeEvent(event)
