"""What changed, said once: each command hands the desk a Changes, the desk emits it once with its
initiator, and the views refresh only what it concerns."""

from datetime import date

import pytest

from db.changes import Changes
from db.events import event_fields
from db.metrics import ObservationFields
from db.obligations import ObligationFields
from db.vocabulary import Status
from gui.commands import AddAssessment, EditObligation, MoveObligation
from gui.event_commands import InlineEditEvent
from gui.main_window import MainWindow
from gui.metric_commands import OBSERVATION, AddPoint
from tests.gui.helpers import find

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def said(desk):
    """Every Changes the desk emits, with its initiator."""
    emitted = []
    desk.record_changed.connect(lambda changes, initiator: emitted.append((changes, initiator)))
    return emitted


def _linked_event(desk) -> tuple[str, list[str]]:
    """The first event of the log that is linked, and the obligations it is linked to."""
    with desk.store.reading() as session:
        from db.event_log import event_rows

        for row in event_rows(session, limit=30):
            fields = event_fields(session, row[0])
            if fields.links:
                return row[0], sorted(obligation_id for obligation_id, _ in fields.links)
    raise AssertionError("the example links its events")


def _troops(desk) -> str:
    return next(m.id for m in desk.metrics() if m.name == "US troops in Afghanistan")


CASES = {
    "fatalities": (
        lambda desk, event, _links: InlineEditEvent(desk, event, {"fatalities": 9}, "Edit fatalities"),
        lambda event, _links, _desk: Changes(events=frozenset({event}), event_log=True, actors=False),
    ),
    "notes": (
        lambda desk, event, _links: InlineEditEvent(desk, event, {"notes": "Corrected"}, "Edit notes"),
        lambda event, links, _desk: Changes(
            events=frozenset({event}), event_log=True, evidence=frozenset(links)
        ),
    ),
    "assessment": (
        lambda desk, *_: AddAssessment(desk, find(desk, "P2-1").id, date(2020, 3, 1), Status.AT_RISK, None,
                                       "medium", "", "tester"),  # fmt: skip
        lambda _e, _l, desk: Changes(
            assessments=frozenset({find(desk, "P2-1").id}), select=find(desk, "P2-1").id
        ),
    ),
    "title": (
        lambda desk, *_: EditObligation(desk, find(desk, "P2-1").id, ObligationFields("P2-1", "Renamed")),
        lambda _e, _l, desk: Changes(obligations=frozenset({find(desk, "P2-1").id}), select=find(desk, "P2-1").id),
    ),
    "move": (
        lambda desk, *_: MoveObligation(desk, find(desk, "P1-A.2").id, find(desk, "P1-A").id, 0),
        lambda _e, _l, desk: Changes(
            tree=True, obligations=frozenset({find(desk, "P1-A.2").id}), select=find(desk, "P1-A.2").id
        ),
    ),
    "observation": (
        lambda desk, *_: AddPoint(desk, OBSERVATION, _troops(desk), ObservationFields(date(2020, 9, 1), 8000, source="Press")),
        lambda _e, _l, desk: Changes(metrics=frozenset({_troops(desk)})),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_command_says_what_it_changed_once(desk, said, name):
    make, expected = CASES[name]
    event, links = _linked_event(desk)
    command = make(desk, event, links)
    command.initiator = "the test"
    assert desk.execute(command)
    assert said == [(expected(event, links, desk), "the test")]
    said.clear()
    assert desk.undo()
    assert len(said) == 1 and said[0][0].select in (None, expected(event, links, desk).select)


def test_a_cell_no_status_reads_leaves_the_tree_and_the_plot_alone(qtbot, desk, settings_folder):
    window = MainWindow(desk)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    window.trajectory.follow_obligation(find(desk, "P1-B").id)
    tree, series, model = desk.tree(), window.trajectory.series, window.tree.model
    event, _links = _linked_event(desk)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.dataChanged):
        assert desk.execute(InlineEditEvent(desk, event, {"fatalities": 9}, "Edit fatalities"))
    assert desk.tree() is tree and window.trajectory.series is series  # nothing evaluated or read again
    qtbot.waitUntil(lambda: not window.event_log.filtering)
    row = window.event_log.model.row_of(event)
    assert window.event_log.model.index(row, 4).data() == "9"  # the log shows the new value


def test_an_as_of_change_evaluates_the_kept_facts_again(qtbot, desk):
    node = find(desk, "Intro-3")
    detail = desk.detail(node.id)
    assert find(desk, "Intro-3").standing.status == Status.MET_LATE
    desk.set_as_of(date(2020, 4, 10))
    assert find(desk, "Intro-3").standing.status == Status.OVERDUE
    assert desk.detail(node.id) is detail  # a detail holds no as-of date: views grey what came after
