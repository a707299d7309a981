"""The obligation tree model and its filter, without any view."""

from datetime import date

from PySide6.QtCore import QModelIndex, Qt

from db.vocabulary import Status
from gui.commands import AddAssessment
from gui.obligation_filter import ObligationFilterModel
from gui.obligation_model import (
    DEADLINE,
    OBLIGATION_ID_ROLE,
    OBLIGOR,
    REF,
    STANDING_ROLE,
    STATUS,
    TITLE,
    ObligationTreeModel,
)
from gui.plain_text import tooltip
from tests.gui.helpers import find

DISPLAY = Qt.ItemDataRole.DisplayRole


def loaded(desk) -> ObligationTreeModel:
    model = ObligationTreeModel()
    model.set_tree(desk.tree())
    return model


def row_of(model: ObligationTreeModel, desk, ref: str, column: int = 0) -> QModelIndex:
    return model.index_of(find(desk, ref).id, column)


def test_the_model_passes_qt_model_tester(qtmodeltester, desk):
    qtmodeltester.check(loaded(desk))


def test_the_filter_passes_qt_model_tester(qtmodeltester, desk):
    proxy = ObligationFilterModel()
    proxy.setSourceModel(loaded(desk))
    qtmodeltester.check(proxy)
    proxy.set_text("taliban")
    qtmodeltester.check(proxy)


def test_rows_follow_the_agreement_tree(desk):
    model = loaded(desk)
    assert [model.index(r, REF).data() for r in range(model.rowCount())] == ["Intro", "P1", "P2", "P3"]
    part_one = row_of(model, desk, "P1")
    assert [model.index(r, REF, part_one).data() for r in range(model.rowCount(part_one))] == [
        "P1-A", "P1-B", "P1-C", "P1-D", "P1-E", "P1-F",
    ]  # fmt: skip
    assert model.rowCount(row_of(model, desk, "P1-C")) == 3
    assert model.rowCount(row_of(model, desk, "P1-C.1")) == 0
    assert model.columnCount() == 5
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Ref", "Obligation", "Obligor", "Deadline", "Status",
    ]  # fmt: skip
    child = row_of(model, desk, "P1-C.2")
    assert child.parent() == row_of(model, desk, "P1-C")
    assert child.parent().parent() == part_one


def test_display_data_of_each_column(desk):
    model = loaded(desk)
    data = {column: row_of(model, desk, "P1-A.1", column).data(DISPLAY) for column in range(5)}
    assert data[REF] == "P1-A.1"
    assert data[TITLE] == "Reduce US forces to 8,600, allies proportionally"
    assert data[OBLIGOR].startswith("United States")
    assert data[DEADLINE] == "2020-07-13"
    assert data[STATUS] == "Met"
    assert row_of(model, desk, "P1-A.1", DEADLINE).data(Qt.ItemDataRole.ToolTipRole) == (
        "<p>Resolved from the rule: 135 days after signing.</p>"
    )
    assert row_of(model, desk, "P1-F", DEADLINE).data(DISPLAY) == "ongoing"
    assert row_of(model, desk, "P1", DEADLINE).data(DISPLAY) == ""  # a section has no deadline of its own
    assert row_of(model, desk, "P1", REF).data(OBLIGATION_ID_ROLE) == find(desk, "P1").id
    assert row_of(model, desk, "P1", STATUS).data(STANDING_ROLE).status == Status.OVERDUE


def test_status_follows_the_as_of_date(desk):
    desk.set_as_of(date(2020, 3, 11))
    model = loaded(desk)
    assert row_of(model, desk, "Intro-3", STATUS).data() == "Overdue"
    desk.set_as_of(date(2020, 9, 13))
    model.set_tree(desk.tree())
    assert row_of(model, desk, "Intro-3", STATUS).data() == "Met late"


def test_an_assessment_differing_from_the_computed_status_shows_both(desk):
    node = find(desk, "P1-D")
    desk.execute(AddAssessment(desk, node.id, date(2026, 1, 1), Status.DISPUTED, None, "low", "", "tester"))
    model = loaded(desk)
    assert row_of(model, desk, "P1-D", STATUS).data() == "Disputed (computed: Overdue)"


def test_a_section_tooltip_gives_the_rolled_up_counts(desk):
    model = loaded(desk)  # held: an index outliving its model crashes
    tip = row_of(model, desk, "P1-C", STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == tooltip("Overdue", "3 of 3 clauses due; 1 overdue (P1-C.3 2,177 days late); 2 met late.")


def test_new_values_of_the_same_tree_keep_the_rows(qtbot, desk):
    model = loaded(desk)
    desk.set_as_of(date(2020, 3, 11))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.set_tree(desk.tree())
    assert row_of(model, desk, "Intro-3", STATUS).data() == "Overdue"


def test_dropping_an_obligation_requests_a_move_and_changes_nothing(qtbot, desk):
    model = loaded(desk)
    moving = row_of(model, desk, "P1-C.3")
    section = row_of(model, desk, "P1-C")
    data = model.mimeData([moving])
    with qtbot.waitSignal(model.move_requested) as move:
        assert model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, section)
    assert move.args == [find(desk, "P1-C.3").id, find(desk, "P1-C").id, 0]
    assert model.index(2, REF, section).data() == "P1-C.3"  # the model waits for the record to change

    with qtbot.waitSignal(model.move_requested) as move:  # dropped onto another obligation: its last child
        assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, row_of(model, desk, "P2"))
    assert move.args == [find(desk, "P1-C.3").id, find(desk, "P2").id, 5]

    with qtbot.waitSignal(model.move_requested) as move:  # further down its own list: counted without itself
        assert model.dropMimeData(model.mimeData([row_of(model, desk, "P1-A")]), Qt.DropAction.MoveAction, 3, 0,
                                  row_of(model, desk, "P1"))  # fmt: skip
    assert move.args == [find(desk, "P1-A").id, find(desk, "P1").id, 2]


def test_a_drop_into_itself_or_in_place_is_refused(qtbot, desk):
    model = loaded(desk)
    section = row_of(model, desk, "P1-C")
    data = model.mimeData([section])
    with qtbot.assertNotEmitted(model.move_requested):
        assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, 0, 0, row_of(model, desk, "P1-C.1"))
        assert not model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, section)
        assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 2, 0, row_of(model, desk, "P1"))
        assert not model.dropMimeData(data, Qt.DropAction.CopyAction, 0, 0, QModelIndex())


def test_filter_keeps_matching_rows_and_their_ancestors(desk):
    proxy = ObligationFilterModel()
    proxy.setSourceModel(loaded(desk))
    proxy.set_text("TALIBAN")

    def shown(parent=None):
        parent = parent or QModelIndex()
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            yield index.data()
            yield from shown(index)

    expected = set()
    for root in desk.tree():
        for node in root.walk():
            if any("taliban" in text.lower() for text in (node.ref, node.title, *node.obligors)):
                expected.add(node.ref)
                parent = desk.node(node.parent_id)
                while parent:
                    expected.add(parent.ref)
                    parent = desk.node(parent.parent_id)
    assert set(shown()) == expected
    assert {"P1-D", "P1-C", "P1-C.2", "P2", "P2-1"} <= expected
    assert "P1-A" not in expected and "P3-3" not in expected
