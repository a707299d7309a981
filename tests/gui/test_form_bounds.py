"""Every form and cell editor checks what it lets in by db.values: OK stays disabled (or the cell is
refused with one sentence) for a value the record cannot hold, and the validation slot never raises."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate
from sqlmodel import select

from db.deadlines import parse_rule, resolve
from db.metrics import metric_series
from db.models import Observation, TargetPoint
from db.obligations import ObligationFields
from db.values import EARLIEST, LATEST
from gui.assessment_dialog import AssessmentDialog
from gui.metric_commands import OBSERVATION, TARGET, AddPoint
from gui.point_dialog import PointDialog
from gui.trajectory_panel import TrajectoryPanel
from gui.trajectory_plot import TrajectoryPlot
from tests.gui.test_dialogs import obligation_dialog
from tests.gui.test_event_dialog import filled
from tests.gui.test_trajectory_panel import _ref_id

FIGURES = "-1,000,000,000,000 to 1,000,000,000,000"
OVERFLOWING_RULES = [
    "3000000 days after signing",
    "8000 years after signing",
    "100000 months after signing",
    "99999999999 days after signing",
]


def _with_rule(qtbot, rule: str):
    dialog = obligation_dialog(qtbot, ObligationFields(ref="P9", title="Withdraw"))
    dialog.rule_deadline.setChecked(True)
    qtbot.keyClicks(dialog.rule_edit, rule)
    return dialog


@pytest.mark.parametrize("rule", OVERFLOWING_RULES)
def test_a_rule_past_the_calendar_keeps_ok_disabled(qtbot, rule):
    """The live preview raised OverflowError in the validation slot before it could disable OK."""
    dialog = _with_rule(qtbot, rule)
    assert not dialog.ok_button.isEnabled()
    assert "is longer than the record's calendar" in dialog.problems["deadline"].text()
    assert dialog.rule_preview.isHidden()


def test_a_rule_half_typed_is_not_counted_from_a_clause_called_s(qtbot):
    dialog = _with_rule(qtbot, "135 days after s")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problems["deadline"].text().startswith("There is no clause s in this agreement")
    qtbot.keyClicks(dialog.rule_edit, "igning")
    assert dialog.ok_button.isEnabled() and dialog.rule_preview.text().startswith("Falls on 2020-07-13")


def test_the_obligation_texts_hold_nothing_the_record_cannot_store(qtbot):
    dialog = obligation_dialog(qtbot, ObligationFields(ref="P9", title="Withdraw"))
    assert dialog.ok_button.isEnabled()
    dialog.title_edit.setText("With\x00draw")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problems["title"].text() == "The title holds a NUL character at position 5; remove it."


_RULE_TEXT = st.one_of(
    st.text(max_size=40),
    st.builds(
        "{} {} after {}".format,
        st.integers(-10, 10**15) | st.sampled_from(["one", "twelve", "²", "٣"]),
        st.sampled_from(["day", "days", "weeks", "month", "years", "Years"]),
        st.sampled_from(["signing", "the signing", "Intro-3", "P1-A", "s", "P9", "signature"]),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=_RULE_TEXT, signed=st.dates(EARLIEST, LATEST))
def test_any_rule_typed_keeps_ok_disabled_or_resolves_to_a_date_every_view_shows(qtbot, rule, signed):
    dialog = obligation_dialog(qtbot, ObligationFields(ref="P9", title="Withdraw"), signed_on=signed)
    dialog.rule_deadline.setChecked(True)
    dialog.rule_edit.setText(rule)  # a slot that raised here would fail the test (pytest-qt)
    if dialog.ok_button.isEnabled():
        parsed = parse_rule(rule)
        anchor = signed if parsed.anchor == "signing" else LATEST  # a clause met on the last day
        assert resolve(parsed, anchor).year < 2600
        if parsed.anchor == "signing":
            assert resolve(parsed, signed) <= LATEST
    dialog.close()


def test_assessment_dates_and_rationale_stay_in_the_record(qtbot):
    dialog = AssessmentDialog(
        None, obligation="P1-A.1", as_of=date(2020, 9, 13), status="on_track", assessed_by="me"
    )
    qtbot.addWidget(dialog)
    assert (dialog.as_of_edit.minimumDate(), dialog.as_of_edit.maximumDate()) == (
        QDate(EARLIEST),
        QDate(LATEST),
    )
    dialog.as_of_edit.setDate(QDate(9999, 12, 31))
    assert dialog.values().as_of == LATEST
    assert dialog.ok_button.isEnabled()
    dialog.rationale_edit.setPlainText("Seen\x00")
    assert not dialog.ok_button.isEnabled() and "NUL character" in dialog.problem.text()
    dialog.rationale_edit.setPlainText("Seen in the press")
    assert dialog.ok_button.isEnabled() and dialog.problem.isHidden()


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("occurred_on", "2300-01-01", "2300-01-01 is outside the years 1900–2200 the record holds."),
        ("latitude", "1000", "'1000' is not a latitude; use a number from -90 to 90."),
        ("latitude", "nan", "'nan' is not a latitude; use a number from -90 to 90."),
        ("fatalities", "99999999999", "'99999999999' is not a number of fatalities"),
        ("notes", "a\x00b", "The text holds a NUL character at position 2; remove it."),
    ],
)
def test_the_event_form_refuses_what_the_record_cannot_hold(qtbot, desk, name, text, says):
    dialog = filled(desk)
    qtbot.addWidget(dialog)
    if name == "latitude":
        dialog.edits["longitude"].setText("65")
    if name == "notes":
        dialog.notes.setPlainText(text)
    else:
        dialog.edits[name].setText(text)
    assert not dialog.ok_button.isEnabled()
    assert dialog.current_problems()[name].startswith(says)


@pytest.fixture
def panel(qtbot, desk):
    widget = TrajectoryPanel(desk)
    qtbot.addWidget(widget)
    widget.follow_obligation(_ref_id(widget, "P1-B"))
    widget.observations.edit_refused.disconnect()  # no message box in a test
    widget.targets.edit_refused.disconnect()
    return widget


@pytest.mark.parametrize(
    ("column", "text", "says"),
    [
        (
            1,
            "Infinity",
            "'Infinity' is not a figure; use a number from -1,000,000,000,000 to 1,000,000,000,000.",
        ),
        (1, "nan", "'nan' is not a figure"),
        (1, "1e400", "'1e400' is not a figure"),
        (1, "1,000,000,000,000,000", "'1000000000000000' is not a figure"),
        (0, "2300-01-01", "2300-01-01 is outside the years 1900–2200 the record holds."),
        (0, "0001-01-01", "0001-01-01 is outside the years 1900–2200 the record holds."),
        (3, "a\ud800", "The note holds a broken character (half of a UTF-16 pair) at position 2; remove it."),
    ],
)
def test_target_cells_refuse_what_the_plot_cannot_draw(qtbot, panel, column, text, says):
    with panel.desk.store.reading() as session:
        before = sorted(session.exec(select(TargetPoint.on, TargetPoint.value, TargetPoint.note)).all())
    with qtbot.waitSignal(panel.targets.edit_refused) as refused:
        assert panel.targets.setData(panel.targets.index(0, column), text) is False
    assert refused.args[0].startswith(says) and refused.args[0].endswith(".")
    with panel.desk.store.reading() as session:
        assert (
            sorted(session.exec(select(TargetPoint.on, TargetPoint.value, TargetPoint.note)).all()) == before
        )
    assert panel.desk.undo_stack.count() == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=30) | st.floats().map(repr) | st.integers().map(str))
def test_any_observation_value_is_refused_or_shown_by_the_plot_and_the_status(qtbot, panel, text):
    value_column = 2
    stack = panel.desk.undo_stack
    count = stack.count()
    panel.observations.setData(panel.observations.index(0, value_column), text)
    if stack.count() > count:  # saved: the plot has drawn it (a raise would fail the test); the status too
        with panel.desk.store.reading() as session:
            assert all(abs(v) <= 1e12 for v in session.exec(select(Observation.value)))
        assert panel.desk.tree()
        stack.undo()


def _point_dialog(qtbot, kind):
    dialog = PointDialog(None, kind=kind, noun="point", metric="US troops", on=date(2020, 9, 13))
    qtbot.addWidget(dialog)
    dialog.value_edit.setText("8600")
    dialog.source_edit.setText("CENTCOM")
    assert dialog.ok_button.isEnabled()
    return dialog


@pytest.mark.parametrize("kind", [TARGET.key, OBSERVATION.key])
@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("value", "Infinity", f"'Infinity' is not a figure; use a number from {FIGURES}."),
        ("value", "nan", f"'nan' is not a figure; use a number from {FIGURES}."),
        ("value", "1e400", f"'1e400' is not a figure; use a number from {FIGURES}."),
        ("value", "2,000,000,000,000", f"'2000000000000' is not a figure; use a number from {FIGURES}."),
        ("on", "2300-01-01", "2300-01-01 is outside the years 1900–2200 the record holds."),
        ("on", "1066-10-14", "1066-10-14 is outside the years 1900–2200 the record holds."),
        ("note", "a\x00", "The note holds a NUL character at position 2; remove it."),
    ],
)
def test_the_point_forms_refuse_what_the_plot_cannot_draw(qtbot, kind, field, text, says):
    dialog = _point_dialog(qtbot, kind)
    {"value": dialog.value_edit, "on": dialog.on_edit, "note": dialog.note_edit}[field].setText(text)
    assert not dialog.ok_button.isEnabled()
    assert dialog.problems[field].text() == says


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from([TARGET.key, OBSERVATION.key]),
    on=st.text(max_size=12) | st.dates().map(date.isoformat),
    value=st.text(max_size=20) | st.floats().map(repr) | st.integers().map(str),
)
def test_any_point_typed_keeps_ok_disabled_or_is_saved_and_drawn(qtbot, desk, kind, on, value):
    dialog = _point_dialog(qtbot, kind)
    dialog.on_edit.setText(on)
    dialog.value_edit.setText(value)
    if dialog.ok_button.isEnabled():
        fields = dialog.fields()
        with desk.store.reading() as session:
            metric_id = session.exec(select(TargetPoint.metric_id)).first()
        command = AddPoint(desk, TARGET if kind == TARGET.key else OBSERVATION, metric_id, fields)
        assert desk.execute(command)
        with desk.store.reading() as session:
            series = metric_series(session, metric_id)
        plot = TrajectoryPlot()
        plot.show_series(series)  # draws: no "Cannot set range [-inf, inf]"
        desk.undo_stack.undo()
    dialog.close()
