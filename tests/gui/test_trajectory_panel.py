"""The trajectory panel: metric picker, editable points as undoable commands, exports, as-of sync."""

import csv
from datetime import date

import pytest
from PySide6.QtWidgets import QDialog
from sqlmodel import select

from db.models import AuditEntry, Obligation, Observation
from gui.desk import Desk
from gui.metric_commands import OBSERVATION, TARGET
from gui.trajectory_panel import TrajectoryPanel
from tests.record_digest import store_digest


@pytest.fixture
def panel(qtbot, example_store):
    desk = Desk(example_store, as_of=date(2020, 9, 13))
    widget = TrajectoryPanel(desk)
    qtbot.addWidget(widget)
    return widget


def _ref_id(panel, ref):
    with panel.desk.store.reading() as session:
        return session.exec(select(Obligation.id).where(Obligation.ref == ref)).one()


def test_picker_lists_metrics_and_follows_the_tree(panel):
    assert [panel.picker.itemText(i) for i in range(panel.picker.count())] == [
        "Afghan government personnel released by the Taliban (prisoners)",
        "Taliban prisoners released by the Afghan government (prisoners)",
        "US troops in Afghanistan (troops)",
    ]
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    assert panel.series.name == "US troops in Afghanistan"
    assert panel.observations.rowCount() == 6 and panel.targets.rowCount() == 3
    panel.follow_obligation(_ref_id(panel, "P2-1"))  # no metric: no unrelated plot, and it says so
    assert panel.series is None and panel.picker.currentIndex() == -1
    assert panel.plot.plot.plotItem.titleLabel.text == "No metric is tied to P2-1; pick one to see its plot."
    assert panel.plot.gap.path().isEmpty() and panel.plot.data is None


def test_the_plot_shows_only_what_was_observed_by_the_as_of_date(panel):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    panel.desk.set_as_of(date(2020, 7, 1))
    drawn = sorted(d for points in panel.plot.data.claims.values() for d, _value in points)
    assert drawn == [date(2020, 2, 29), date(2020, 6, 18)]
    assert panel.observations.rowCount() == 6  # the table still holds every point to edit
    panel.desk.set_as_of(date(2021, 9, 1))
    assert sum(len(points) for points in panel.plot.data.claims.values()) == 6


def test_an_empty_agreement_leaves_no_shading(panel):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    assert not panel.plot.gap.path().isEmpty()
    from gui.commands import AddAgreement

    assert panel.desk.execute(AddAgreement(panel.desk, "Empty accord"))
    assert panel.series is None and panel.plot.gap.path().isEmpty()


def test_inline_edit_is_an_undoable_audited_command(panel):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    row = next(i for i, r in enumerate(panel.observations.rows) if r.on == date(2020, 6, 18))
    point_id = panel.observations.rows[row].id
    value_column = 2
    assert panel.observations.setData(panel.observations.index(row, value_column), "8,450") is False
    with panel.desk.store.reading() as session:
        assert session.get(Observation, point_id).value == 8450
        assert (
            session.exec(select(AuditEntry.action).where(AuditEntry.row_id == point_id)).all()[-1]
            == "Edit observation"
        )
    assert panel.observations.data(panel.observations.index(row, value_column)) == "8,450"
    panel.desk.undo_stack.undo()
    with panel.desk.store.reading() as session:
        assert session.get(Observation, point_id).value == 8500


def test_bad_cell_text_is_refused_with_a_sentence(panel, qtbot):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    panel.observations.edit_refused.disconnect()  # no message box in a test
    with qtbot.waitSignal(panel.observations.edit_refused) as refused:
        panel.observations.setData(panel.observations.index(0, 0), "2020-02-30")
    assert refused.args == ["'2020-02-30' is not a date: February 2020 has 29 days."]


def filling(monkeypatch, **typed):
    """Run the next forms as an officer would: type into the named line edits, then OK (when enabled)."""
    seen = []

    def run(dialog):
        seen.append((dialog.windowTitle(), dialog.ok_button.isEnabled()))
        for name, text in typed.items():
            getattr(dialog, name).setText(text)
        if not dialog.ok_button.isEnabled():
            return QDialog.DialogCode.Rejected
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QDialog, "exec", run)
    return seen


def test_add_observation_writes_nothing_until_its_form_is_filled(panel, monkeypatch):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    before = store_digest(panel.desk.store)
    seen = filling(monkeypatch)  # opened and left as it came: OK is disabled, nothing is written
    panel._add(OBSERVATION)
    assert seen == [("Add observation of US troops in Afghanistan", False)]
    assert panel.observations.rowCount() == 6
    assert store_digest(panel.desk.store) == before

    filling(monkeypatch, value_edit="8,000")  # no source and no event: still refused
    panel._add(OBSERVATION)
    assert store_digest(panel.desk.store) == before

    filling(monkeypatch, value_edit="8,000", source_edit="Pajhwok Afghan News")
    panel._add(OBSERVATION)
    added = [r for r in panel.observations.rows if r.on == date(2020, 9, 13)]
    assert [(r.value, r.qualifier, r.source) for r in added] == [(8000, "exact", "Pajhwok Afghan News")]


def test_add_target_point_through_its_form(panel, monkeypatch):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    seen = filling(monkeypatch, on_edit="2020-12-01", value_edit="4500")
    panel._add(TARGET)
    assert seen == [("Add target point of US troops in Afghanistan", False)]
    assert [(t.on, t.value) for t in panel.targets.rows if t.on == date(2020, 12, 1)] == [
        (date(2020, 12, 1), 4500)
    ]


def test_a_point_opens_its_form_on_enter(panel, monkeypatch, qtbot):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    table = panel.tables[OBSERVATION]
    row = next(i for i, r in enumerate(panel.observations.rows) if r.on == date(2020, 6, 18))
    point_id = panel.observations.rows[row].id
    seen = filling(monkeypatch, value_edit="8400")
    panel.tabs.setCurrentWidget(table)
    table.setCurrentIndex(panel.observations.index(row, 0))
    table.activated.emit(panel.observations.index(row, 0))
    assert seen == [("Edit observation of US troops in Afghanistan", True)]
    with panel.desk.store.reading() as session:
        assert session.get(Observation, point_id).value == 8400
        assert session.get(Observation, point_id).source == "CENTCOM commander McKenzie"


def test_delete_points_undo_and_redo(panel):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    panel.tabs.setCurrentIndex(0)
    panel.tables[OBSERVATION].setCurrentIndex(panel.observations.index(0, 0))
    first_id = panel.observations.rows[0].id
    panel._delete()
    assert first_id not in [r.id for r in panel.observations.rows]
    panel.desk.undo_stack.undo()
    assert first_id in [r.id for r in panel.observations.rows]
    panel.desk.undo_stack.redo()
    assert first_id not in [r.id for r in panel.observations.rows]


def test_as_of_moves_both_ways(panel):
    panel.desk.set_as_of(date(2021, 1, 1))
    assert panel.plot.as_of() == date(2021, 1, 1)
    panel.plot.as_of_moved.emit(date(2020, 7, 13))
    assert panel.desk.as_of == date(2020, 7, 13)


def test_exports(panel, tmp_path):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    with panel.desk.store.writing("Edit") as session:
        observation = session.exec(
            select(Observation).where(Observation.observed_on == date(2021, 8, 30))
        ).one()
        observation.note = '=HYPERLINK("http://x","click")'
    panel.reload()
    panel.export_csv(tmp_path / "troops.csv")
    with (tmp_path / "troops.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    last = next(r for r in rows if r["date"] == "2021-08-30")
    assert last["note"] == '\'=HYPERLINK("http://x","click")' and last["value"] == "0.0"
    assert '"=HYPERLINK' not in (tmp_path / "troops.csv").read_text(encoding="utf-8")
    panel.export_png(tmp_path / "troops.png")
    assert (tmp_path / "troops.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_point_models_pass_the_model_tester(panel, qtmodeltester):
    panel.follow_obligation(_ref_id(panel, "P1-B"))
    qtmodeltester.check(panel.observations)
    qtmodeltester.check(panel.targets)


def test_a_png_that_cannot_be_written_keeps_the_previous_file(panel, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("gui.trajectory_panel.show_error", lambda _parent, message: shown.append(message))
    monkeypatch.setattr("PySide6.QtGui.QImage.save", lambda *args: False)  # e.g. the disk is full
    (tmp_path / "plots").mkdir()
    target = tmp_path / "plots" / "troops.png"
    target.write_bytes(b"the previous plot")
    panel.export_png(target)
    assert shown == [
        f"{target} could not be written whole (is the disk full?); the previous file, if any, is unchanged."
    ]
    assert target.read_bytes() == b"the previous plot"
    assert [p.name for p in target.parent.iterdir()] == ["troops.png"]
