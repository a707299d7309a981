"""View ▸ Actors…: every actor with its aliases, the events and obligations naming it and its role in each
agreement (with the actors a party groups, or the party an actor counts as); rename, add or remove an alias,
merge into another actor, set its role in an agreement, group it under a party or take it out — each an undo
command (gui/actor_commands.py). The table is db.actor_roster.list_actors, read again when actors change.

User text reaches the screen only as item text, window titles and plain-text boxes (gui/plain_text.py).
"""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.actor_roster import ActorSummary, list_actors
from db.changes import Changes
from db.parties import PartyGroup, party_groups, party_role
from db.tree import list_agreements
from db.vocabulary import PartyRole
from gui.actor_commands import (
    AddAlias,
    GroupUnderParty,
    MergeActors,
    RemoveAlias,
    RenameActor,
    SetPartyRole,
    TakeOutOfParty,
)
from gui.desk import Desk
from gui.plain_text import confirm, quiet_label, tooltip
from gui.rows_model import RowsModel, read_only_table

COLUMNS = ("Actor", "Kind", "Aliases", "Events", "Obligations", "Roles")
NO_PARTY = "not a party"


class ActorsModel(RowsModel):
    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        actor = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                actor.name, actor.kind.replace("_", " "), ", ".join(actor.aliases), actor.events,
                actor.obligations, actor.roles_text(),
            )[column]  # fmt: skip
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and actor.aliases:
            return tooltip(", ".join(actor.aliases))  # the whole list, which the cell may elide
        if role == Qt.ItemDataRole.ToolTipRole and column == 5 and (actor.roles or actor.counts_as):
            return tooltip(actor.roles_text())
        if role == Qt.ItemDataRole.UserRole:
            return actor.id
        return None

    def row_of(self, actor_id: str) -> int:
        return next((i for i, actor in enumerate(self.rows) if actor.id == actor_id), -1)


class ActorsDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle("Actors")
        self.resize(1100, 520)
        self.model = ActorsModel(self)
        self.table = read_only_table(self.model)
        header = self.table.horizontalHeader()
        # The roles, with a party's group, take the room left and wrap; the aliases keep a column's width
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 240)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)

        buttons = QHBoxLayout()
        self.rename_button = self._button("&Rename…", self.rename, buttons)
        self.add_alias_button = self._button("&Add alias…", self.add_alias, buttons)
        self.remove_alias_button = self._button("Remo&ve alias…", self.remove_alias, buttons)
        self.merge_button = self._button("&Merge into…", self.merge, buttons)
        self.role_button = self._button("Party r&ole…", self.set_role, buttons)
        self.group_button = self._button("&Group under party…", self.group, buttons)
        self.ungroup_button = self._button("&Take out of party", self.take_out, buttons)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(
            quiet_label(
                "Merging moves everything that names an actor to the one kept. Grouped under a party, an actor counts "
                "as that party for the agreement and stays itself in the event log. Edit ▸ Undo brings back any change."
            )
        )
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._enable)
        desk.record_changed.connect(self._follow)
        self.reload()

    def _button(self, text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def reload(self) -> None:
        chosen = self.current()
        with self.desk.store.reading() as session:
            self.model.show(list_actors(session))
        self.select(chosen.id if chosen else None)
        self._enable()

    def _follow(self, changes: Changes, _initiator) -> None:
        if changes.actors or changes.everything or changes.agreements:
            self.reload()

    def current(self) -> ActorSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select(self, actor_id: str | None) -> None:
        row = self.model.row_of(actor_id) if actor_id else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()

    def _enable(self) -> None:
        actor = self.current()
        for button in (self.rename_button, self.add_alias_button, self.merge_button, self.role_button, self.group_button):
            button.setEnabled(actor is not None)
        self.ungroup_button.setEnabled(actor is not None and bool(actor.counts_as))
        self.merge_button.setEnabled(actor is not None and len(self.model.rows) > 1)
        self.remove_alias_button.setEnabled(actor is not None and bool(actor.aliases))

    # --- the actions: each asks (a method a test may answer), then runs one undo command -------------

    def rename(self) -> None:
        actor = self.current()
        name = actor and self.ask_text(f"Rename {actor.name}", "New name:", actor.name)
        if name and name.strip() != actor.name:
            self.desk.execute(RenameActor(self.desk, actor.id, name))

    def add_alias(self) -> None:
        actor = self.current()
        alias = actor and self.ask_text(f"Another name for {actor.name}", "Alias:", "")
        if alias:
            self.desk.execute(AddAlias(self.desk, actor.id, alias))

    def remove_alias(self) -> None:
        actor = self.current()
        alias = actor and self.ask_choice(f"Remove an alias of {actor.name}", "Alias:", list(actor.aliases))
        if alias:
            self.desk.execute(RemoveAlias(self.desk, actor.id, alias))

    def merge(self) -> None:
        """Merge the selected actor into the one chosen to keep, once the officer confirms."""
        other = self.current()
        if other is None:
            return
        keepers = [a for a in self.model.rows if a.id != other.id]
        labels = [f"{a.name} ({a.kind.replace('_', ' ')}, {a.events} events)" for a in keepers]
        chosen = self.ask_choice(f"Merge {other.name} into…", "Actor to keep:", labels)
        if chosen is None:
            return
        keep = keepers[labels.index(chosen)]
        question = (
            f"Merge {other.name} into {keep.name}? Its {other.events} event links, {other.obligations} "
            f"obligations, party roles and aliases move to {keep.name}, \"{other.name}\" becomes an alias of "
            f"{keep.name}, and {other.name} is deleted. Edit ▸ Undo brings it back."
        )
        if self.confirm_merge(question) and self.desk.execute(MergeActors(self.desk, keep.id, other.id)):
            self.select(keep.id)

    def set_role(self) -> None:
        """The selected actor's role in an agreement: one of the scale, or no party."""
        actor = self.current()
        agreement = actor and self._agreement(f"Role of {actor.name}", [(a.id, a.label) for a in self._agreements()])
        if agreement is None:
            return
        with self.desk.store.reading() as session:
            held = party_role(session, agreement[0], actor.id)
        choices = {role.replace("_", "-"): str(role) for role in PartyRole} | {NO_PARTY: None}
        labels = list(choices)
        current = labels.index(held[1].replace("_", "-")) if held else len(labels) - 1
        chosen = self.ask_choice(f"Role of {actor.name} in {agreement[1]}", "Role:", labels, current)
        if chosen is not None and choices[chosen] != (held[1] if held else None):
            self.desk.execute(SetPartyRole(self.desk, agreement[0], actor.id, choices[chosen], agreement[1]))

    def group(self) -> None:
        """Group the selected actor under a party of an agreement, so that it counts as that party there."""
        actor = self.current()
        groups = [g for g in self._groups() if g.actor_id != actor.id] if actor else []
        if actor is None:
            return
        if not groups:
            self.desk.report("No agreement has a party to group actors under; give an actor a party role first.")
            return
        labels = [f"{g.name} ({g.role_text()}, {g.agreement})" for g in groups]
        chosen = self.ask_choice(f"Group {actor.name} under a party", "Counts as the party:", labels)
        if chosen is not None:
            party = groups[labels.index(chosen)]
            self.desk.execute(GroupUnderParty(self.desk, party.agreement_id, party.actor_id, actor.id))

    def take_out(self) -> None:
        actor = self.current()
        holding = [(g.agreement_id, f"{g.name} ({g.agreement})") for g in self._groups() if actor and actor.id in dict(g.members)]
        agreement = holding and self._agreement(f"Take {actor.name} out of a party", holding)
        if agreement:
            self.desk.execute(TakeOutOfParty(self.desk, agreement[0], actor.id))

    def _agreements(self):
        with self.desk.store.reading() as session:
            return list_agreements(session)

    def _groups(self) -> list[PartyGroup]:
        with self.desk.store.reading() as session:
            return party_groups(session)

    def _agreement(self, title: str, choices: list[tuple[str, str]]) -> tuple[str, str] | None:
        """(id, label) of the one agreement among `choices`, asked when there are several (the current one first)."""
        choices = sorted(choices, key=lambda choice: choice[0] != self.desk.agreement_id)
        if len(choices) <= 1:
            return choices[0] if choices else None
        labels = [label for _id, label in choices]
        chosen = self.ask_choice(title, "Agreement:", labels)
        return None if chosen is None else choices[labels.index(chosen)]

    def ask_text(self, title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def ask_choice(self, title: str, label: str, items: list[str], current: int = 0) -> str | None:
        value, ok = QInputDialog.getItem(self, title, label, items, current, False)
        return value if ok else None

    def confirm_merge(self, question: str) -> bool:
        return confirm(self, "Merge actors", question, "Merge")
