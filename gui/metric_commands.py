"""Undoable edits of a metric's target points and observations (the tables under the plot, their forms)."""

from dataclasses import dataclass, replace
from typing import Any

from db import metrics
from db.changes import Changes
from db.ids import new_id
from db.metrics import (
    DeletedPoint,
    ObservationFields,
    TargetFields,
    add_observation,
    add_target,
    delete_point,
    observation_fields,
    point_changes,
    restore_point,
    target_fields,
    update_observation,
    update_target,
)
from gui.commands import DeskCommand
from gui.desk import Desk


@dataclass(frozen=True)
class PointKind:
    key: str  # db.metrics.TARGET or OBSERVATION
    noun: str
    add: Any  # (session, metric_id, fields, point_id) -> id
    update: Any  # (session, point_id, fields)
    read: Any  # (session, point_id) -> fields


TARGET = PointKind(metrics.TARGET, "target point", add_target, update_target, target_fields)
OBSERVATION = PointKind(
    metrics.OBSERVATION, "observation", add_observation, update_observation, observation_fields
)


class AddPoint(DeskCommand):
    def __init__(self, desk: Desk, kind: PointKind, metric_id: str, fields: TargetFields | ObservationFields):
        super().__init__(desk, f"Add {kind.noun}")
        self.kind, self.metric_id, self.fields, self.point_id = kind, metric_id, fields, new_id()

    def apply(self, session) -> Changes:
        self.kind.add(session, self.metric_id, self.fields, self.point_id)
        return point_changes(session, self.kind.key, self.point_id)

    def revert(self, session) -> Changes:
        return delete_point(session, self.kind.key, self.point_id).changes


class EditPoint(DeskCommand):
    def __init__(self, desk: Desk, kind: PointKind, point_id: str, fields: TargetFields | ObservationFields):
        super().__init__(desk, f"Edit {kind.noun}")
        with desk.store.reading() as session:
            self.before = kind.read(session, point_id)
        self.kind, self.point_id, self.after = kind, point_id, replace(fields)

    def apply(self, session) -> Changes:
        self.kind.update(session, self.point_id, self.after)
        return point_changes(session, self.kind.key, self.point_id)

    def revert(self, session) -> Changes:
        self.kind.update(session, self.point_id, self.before)
        return point_changes(session, self.kind.key, self.point_id)


class DeletePoint(DeskCommand):
    def __init__(self, desk: Desk, kind: PointKind, point_id: str):
        super().__init__(desk, f"Delete {kind.noun}")
        self.kind, self.point_id = kind, point_id
        self.deleted: DeletedPoint | None = None

    def apply(self, session) -> Changes:
        self.deleted = delete_point(session, self.kind.key, self.point_id)
        return self.deleted.changes

    def revert(self, session) -> Changes:
        restore_point(session, self.deleted)
        return self.deleted.changes
