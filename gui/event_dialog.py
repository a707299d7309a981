"""The event form: add or edit one event of the log (fed by gui/event_log_view.py, saved through
gui/event_commands.py).

Every value is typed as text and read by db.event_rules: `event_problems` runs as the officer types,
each message shows under its field in plain text, and OK stays disabled while anything is wrong. Types
and sub-types offer ACLED's taxonomy and the agreement's own types; new ones may be typed. Actors are
separated by ";" (as ACLED and the table separate them, since names may hold commas) and complete
from known actors and their aliases. Links to obligations are picked by agreement, the current one first:
an event can bear on obligations of several agreements (db/link_choices.py).
"""

from datetime import date

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.actors import actor_completions
from db.event_log import event_types
from db.event_rules import (
    ACLED_EVENT_TYPES,
    ACTOR_SEPARATOR,
    EventFields,
    EventForm,
    event_problems,
    read_event_form,
)
from db.link_choices import AgreementChoices, link_choices
from db.vocabulary import CREDIBILITY, RELIABILITY, Bearing, DatePrecision, Qualifier
from gui.desk import Desk
from gui.plain_text import buddy_label, choice_combo, ok_cancel, problem_label

BEARING_LABELS = {
    Bearing.SUPPORTS: "supports compliance",
    Bearing.BREACH: "indicates breach",
    Bearing.CONTEXT: "context",
}
# ACLED's geo_precision: how near the coordinates are to where it happened
GEO_PRECISIONS = [("1", "at the place"), ("2", "near the place"), ("3", "in the region")]
# Fields of EventForm typed into a QLineEdit of the same name.
LINE_FIELDS = (
    "occurred_on", "occurred_until", "location", "admin1", "admin2", "country", "latitude", "longitude", "fatalities",
    "source_name", "source_reference", "source_accessed_on", "figure",
)  # fmt: skip


class ActorCompleter(QCompleter):
    """Completes the name being typed after the last ';' of the actors field."""

    def __init__(self, names: list[str], parent: QLineEdit):
        super().__init__(QStringListModel(names), parent)
        self.line = parent
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def splitPath(self, path: str) -> list[str]:
        return [path.split(";")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        done = self.line.text().split(";")[:-1]
        return ACTOR_SEPARATOR.join([*(part.strip() for part in done), index.data()])


def _obligation_combo(choices: list[AgreementChoices]) -> QComboBox:
    """The obligations under a heading per agreement (not choosable), indented by their depth in its tree."""
    combo = choice_combo(
        [item for group in choices for item in [
            (None, group.label), *((c.obligation_id, "    " * (c.depth + 1) + c.ref) for c in group.obligations)
        ]], ""
    )  # fmt: skip
    heading = QFont(combo.font())
    heading.setBold(True)
    model = combo.model()  # a QStandardItemModel, a QComboBox's own
    for row in range(combo.count()):
        if combo.itemData(row) is None:
            model.item(row).setFlags(Qt.ItemFlag.NoItemFlags)
            model.item(row).setFont(heading)
    combo.setCurrentIndex(next((row for row in range(combo.count()) if combo.itemData(row) is not None), -1))
    widest = max((QFontMetrics(heading).horizontalAdvance(combo.itemText(row)) for row in range(combo.count())), default=0)
    combo.view().setMinimumWidth(widest + 40)  # agreements' names whole in the list
    return combo


class EventDialog(QDialog):
    def __init__(
        self, desk: Desk, parent: QWidget | None = None, fields: EventFields | None = None, heading: str = "New event"
    ):  # fmt: skip
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle(heading)
        with desk.store.reading() as session:
            types = event_types(session)
            completions = actor_completions(session)
            choices = link_choices(session, desk.agreement_id)
        metrics = desk.metrics()
        # how the links table names an obligation: its ref, and its agreement's when not the current one
        self.refs = {
            choice.obligation_id: choice.ref if group.agreement_id == desk.agreement_id else f"{choice.ref} ({group.label})"
            for group in choices for choice in group.obligations
        }  # fmt: skip
        form = (
            EventForm.from_fields(fields)
            if fields
            else EventForm(source_accessed_on=date.today().isoformat())
        )
        # A new event goes under the desk's agreement; an event edited keeps its own, even none (an import's).
        self._agreement_id = form.agreement_id if fields else (desk.agreement_id or "")
        self._observation_id = form.observation_id
        self._admin3 = form.admin3  # not shown (ACLED's third level), kept as it is

        self.edits = {name: QLineEdit(getattr(form, name)) for name in LINE_FIELDS}
        for name, hint in (("occurred_on", "YYYY-MM-DD"), ("occurred_until", "single day"), ("source_accessed_on", "YYYY-MM-DD"),
                           ("fatalities", "unknown"), ("latitude", "e.g. 31.82"), ("longitude", "e.g. 64.57"),
                           ("figure", "e.g. 100")):  # fmt: skip
            self.edits[name].setPlaceholderText(hint)
        self.precision = choice_combo([(p.value, p.value) for p in DatePrecision], form.date_precision)
        self.event_type = QComboBox()
        self.event_type.setEditable(True)
        self.event_type.addItems(types)
        self.event_type.setCurrentText(form.event_type)
        self.sub_type = QComboBox()
        self.sub_type.setEditable(True)
        self._fill_sub_types(form.event_type)
        self.sub_type.setCurrentText(form.sub_event_type)
        self.actors = QLineEdit(ACTOR_SEPARATOR.join(form.actors))
        self.actors.setPlaceholderText("Taliban; Afghan government")
        self.actors.setCompleter(
            ActorCompleter(sorted({typed for typed, _ in completions}, key=str.casefold), self.actors)
        )
        self.notes = QPlainTextEdit(form.notes)
        self.notes.setTabChangesFocus(True)
        self.reliability = choice_combo(
            [("", "—"), *((k, f"{k} {v}") for k, v in RELIABILITY.items())], form.reliability
        )
        self.credibility = choice_combo(
            [("", "—"), *((k, f"{k} {v}") for k, v in CREDIBILITY.items())], form.credibility
        )
        self.metric_combo = choice_combo([("", "none"), *((m.id, m.name) for m in metrics)], form.metric_id)
        self.qualifier = choice_combo(
            [(q.value, q.value.replace("_", " ")) for q in Qualifier], form.figure_qualifier
        )
        self.geo_precision = choice_combo([("", "precision unknown"), *GEO_PRECISIONS], form.geo_precision)
        self.claimant = QLineEdit(form.figure_claimant)
        self.claimant.setPlaceholderText("the first actor")

        self.links = QTableWidget(0, 2)
        self.links.setHorizontalHeaderLabels(["Obligation", "Bearing"])
        self.links.horizontalHeader().setStretchLastSection(True)
        self.links.verticalHeader().setVisible(False)
        self.links.setMaximumHeight(130)
        self.link_ref = _obligation_combo(choices)
        self.link_bearing = choice_combo(list(BEARING_LABELS.items()), Bearing.CONTEXT)
        add_link = QPushButton("Lin&k")
        add_link.clicked.connect(
            lambda: self.add_link(self.link_ref.currentData(), self.link_bearing.currentData())
        )
        remove_link = QPushButton("Remo&ve link")
        remove_link.clicked.connect(self.remove_link)

        self.problems = {name: problem_label() for name in (*LINE_FIELDS, "date_precision", "event_type",
                         "sub_event_type", "actors", "notes", "geo_precision", "reliability", "credibility", "links", "metric_id",
                         "figure_qualifier", "figure_claimant", "other")}  # fmt: skip

        when = QFormLayout()
        date_row = QHBoxLayout()
        date_row.addWidget(self.edits["occurred_on"], 1)
        date_row.addWidget(self.precision)
        when.addRow(
            buddy_label("&Date", self.edits["occurred_on"]),
            self._row("occurred_on", date_row, problem2="date_precision"),
        )
        self._add(when, "Last da&y", "occurred_until")  # of a range (UCDP's date_end); empty for one day
        self._add(when, "&Type", "event_type", self.event_type)
        self._add(when, "S&ub-type", "sub_event_type", self.sub_type)
        self._add(when, "&Actors", "actors", self.actors)
        for label, name in (
            ("&Location", "location"), ("Province (admin &1)", "admin1"), ("District (admin &2)", "admin2"),
            ("C&ountry", "country"),
        ):  # fmt: skip
            self._add(when, label, name)
        coordinates = QHBoxLayout()
        coordinates.addWidget(self.edits["latitude"])
        coordinates.addWidget(self.edits["longitude"])
        coordinates.addWidget(self.geo_precision)
        when.addRow(
            buddy_label("Latitude, longitude", self.edits["latitude"]),
            self._row("latitude", coordinates, problem2="longitude", problem3="geo_precision"),
        )
        self._add(when, "&Fatalities", "fatalities")

        source = QFormLayout()
        for label, name in (
            ("&Source", "source_name"), ("&Reference", "source_reference"), ("Acc&essed on", "source_accessed_on")
        ):  # fmt: skip
            self._add(source, label, name)
        grade = QHBoxLayout()
        grade.addWidget(self.reliability)
        grade.addWidget(self.credibility)
        source.addRow(
            buddy_label("&Grade", self.reliability), self._row("reliability", grade, problem2="credibility")
        )
        self._add(source, "&Notes", "notes", self.notes)
        link_picker = QHBoxLayout()
        for widget in (self.link_ref, self.link_bearing, add_link, remove_link):
            link_picker.addWidget(widget)
        links = QVBoxLayout()
        links.addWidget(self.links)
        links.addLayout(link_picker)
        links.addWidget(self.problems["links"])
        source.addRow(buddy_label("O&bligations", self.link_ref), links)
        figure = QHBoxLayout()
        for widget in (self.metric_combo, self.qualifier, self.edits["figure"], self.claimant):
            figure.addWidget(widget)
        source.addRow(
            buddy_label("F&igure", self.metric_combo),
            self._row(
                "metric_id",
                figure,
                problem2="figure",
                problem3="figure_qualifier",
                problem4="figure_claimant",
            ),
        )

        columns = QHBoxLayout()
        left, right = QGroupBox("What happened"), QGroupBox("Source and evidence")
        left.setLayout(when)
        right.setLayout(source)
        columns.addWidget(left)
        columns.addWidget(right, 1)
        self.buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.problems["other"])
        layout.addWidget(self.buttons)

        for edit in self.edits.values():
            edit.textChanged.connect(self._validate)
        for combo in (self.event_type, self.sub_type):
            combo.currentTextChanged.connect(self._validate)
        self.event_type.currentTextChanged.connect(self._type_changed)
        for combo in (self.precision, self.geo_precision, self.reliability, self.credibility, self.metric_combo, self.qualifier):
            combo.currentIndexChanged.connect(self._validate)
        self.actors.textChanged.connect(self._validate)
        self.claimant.textChanged.connect(self._validate)
        self.notes.textChanged.connect(self._validate)
        for obligation_id, bearing in form.links:  # once the problems and OK they update exist
            self.add_link(obligation_id, bearing)
        self._validate()
        self.edits["occurred_on"].setFocus()

    # --- reading the form ------------------------------------------------------------------

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def form(self) -> EventForm:
        text = {name: edit.text() for name, edit in self.edits.items()}
        return EventForm(
            **text,
            date_precision=self.precision.currentData(),
            admin3=self._admin3,
            geo_precision=self.geo_precision.currentData(),
            event_type=self.event_type.currentText(),
            sub_event_type=self.sub_type.currentText(),
            actors=self.actors.text().split(";") if self.actors.text().strip() else [],
            notes=self.notes.toPlainText(),
            reliability=self.reliability.currentData(),
            credibility=self.credibility.currentData(),
            links=self.link_values(),
            agreement_id=self._agreement_id,
            metric_id=self.metric_combo.currentData(),
            figure_qualifier=self.qualifier.currentData(),
            figure_claimant=self.claimant.text(),
            observation_id=self._observation_id,
        )

    def fields(self) -> EventFields:
        """The event as typed; only for a valid form (OK is disabled otherwise)."""
        return read_event_form(self.form(), today=date.today())

    def current_problems(self) -> dict[str, str]:
        return event_problems(self.form(), today=date.today())

    def link_values(self) -> list[tuple[str, str]]:
        values = []
        for row in range(self.links.rowCount()):
            combo = self.links.cellWidget(row, 1)
            values.append((self.links.item(row, 0).data(Qt.ItemDataRole.UserRole), combo.currentData()))
        return values

    # --- links -------------------------------------------------------------------------------

    def add_link(self, obligation_id: str | None, bearing: str) -> None:
        if not obligation_id:
            return
        for row in range(self.links.rowCount()):
            if self.links.item(row, 0).data(Qt.ItemDataRole.UserRole) == obligation_id:
                combo = self.links.cellWidget(row, 1)
                combo.setCurrentIndex(combo.findData(bearing))
                self._validate()
                return
        row = self.links.rowCount()
        self.links.insertRow(row)
        item = QTableWidgetItem(self.refs.get(obligation_id, "another agreement's obligation"))
        item.setData(Qt.ItemDataRole.UserRole, obligation_id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.links.setItem(row, 0, item)
        combo = choice_combo(list(BEARING_LABELS.items()), bearing)
        combo.currentIndexChanged.connect(self._validate)
        self.links.setCellWidget(row, 1, combo)
        self._validate()

    def remove_link(self) -> None:
        row = self.links.currentRow()
        if row >= 0:
            self.links.removeRow(row)
            self._validate()

    # --- following the typing -------------------------------------------------------------------

    def _add(self, form: QFormLayout, label: str, name: str, field: QWidget | None = None) -> None:
        """A labelled row for one field (by default its line edit) with its problem under it."""
        field = field if field is not None else self.edits[name]
        form.addRow(buddy_label(label, field), self._row(name, field))

    def _row(
        self, name: str, field, *, problem2: str = "", problem3: str = "", problem4: str = ""
    ) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        if isinstance(field, QWidget):
            column.addWidget(field)
        else:
            column.addLayout(field)
        for problem in (name, problem2, problem3, problem4):
            if problem:
                column.addWidget(self.problems[problem])
        return column

    def _fill_sub_types(self, event_type: str) -> None:
        current = self.sub_type.currentText()
        self.sub_type.blockSignals(True)
        self.sub_type.clear()
        self.sub_type.addItems(["", *ACLED_EVENT_TYPES.get(event_type, ())])
        self.sub_type.setCurrentText(current)
        self.sub_type.blockSignals(False)

    def _type_changed(self, event_type: str) -> None:
        self._fill_sub_types(event_type)

    def _validate(self) -> None:
        problems = self.current_problems()
        shown = set()
        for name, label in self.problems.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
            shown.add(name)
        others = [message for name, message in problems.items() if name not in shown]
        self.problems["other"].setText(" ".join(others))
        self.problems["other"].setVisible(bool(others))
        self.ok_button.setEnabled(not problems)
