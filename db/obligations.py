"""Changes to agreements, the obligation tree and assessments: one function per user action.

Each takes the Session of the action's transaction (Store.writing) and returns what it changed
(db.changes.Changes; a deletion returns what undo needs, with its `changes`). Functions that create a
row take its id, chosen by the caller, so an undone action can be redone with the same identity.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session, SQLModel, col, select

from db.audit import column_values
from db.changes import Changes
from db.deadlines import parse_rule
from db.errors import RecordError
from db.models import (
    Agreement,
    Assessment,
    EventObligation,
    MetricObligation,
    Obligation,
    ObligationDependency,
    ObligationObligor,
    TargetPoint,
)
from db.records import delete_if_there, get_or_refuse
from db.values import check_date, check_text, sentence
from db.vocabulary import WITHDRAWN, Confidence, ObligationKind, Status


@dataclass
class ObligationFields:
    """What the officer edits in an obligation."""

    ref: str
    title: str
    text: str | None = None
    kind: str = ObligationKind.ACTION
    obligor_ids: list[str] = field(default_factory=list)
    beneficiary_id: str | None = None
    deadline_on: date | None = None
    deadline_rule: str | None = None
    ongoing: bool = False
    deadline_note: str | None = None


def obligation_problems(fields: ObligationFields) -> dict[str, str]:
    """What is wrong with the fields, by field name; empty when they can be saved."""
    problems = {}
    if not fields.ref.strip():
        problems["ref"] = "Give the clause reference, e.g. P1-A.1."
    if not fields.title.strip():
        problems["title"] = "Summarise the obligation in a line."
    if fields.kind not in list(ObligationKind):
        problems["kind"] = f"'{fields.kind}' is not a kind of obligation."
    if sum([fields.deadline_on is not None, bool(fields.deadline_rule), fields.ongoing]) > 1:
        problems["deadline"] = "Give a date, a rule or 'ongoing', not several."
    if fields.deadline_rule:
        try:
            parse_rule(fields.deadline_rule)
        except ValueError as error:
            problems["deadline"] = f"{error}."
    # the deadline note shows under the deadline
    texts = {"ref": fields.ref, "title": fields.title, "text": fields.text, "deadline": fields.deadline_note}
    for name, value in texts.items():
        try:
            check_text(value or "", f"the {'deadline note' if name == 'deadline' else name}")
        except ValueError as error:
            problems.setdefault(name, sentence(str(error)))
    if fields.deadline_on is not None:
        try:
            check_date(fields.deadline_on)
        except ValueError as error:
            problems["deadline"] = sentence(str(error))
    return problems


def _check(session: Session, agreement_id: str, fields: ObligationFields, obligation_id: str | None) -> None:
    problems = obligation_problems(fields)
    if problems:
        raise RecordError(" ".join(problems.values()))
    clash = session.exec(
        select(Obligation.id).where(
            Obligation.agreement_id == agreement_id,
            Obligation.ref == fields.ref.strip(),
            Obligation.id != obligation_id,
        )
    ).first()
    if clash:
        raise RecordError(
            f"The clause reference {fields.ref.strip()} is already used in this agreement; choose another."
        )


def create_agreement(
    session: Session, title: str, short_title: str = "", signed_on: date | None = None, place: str = "",
    *, agreement_id: str,
) -> Changes:  # fmt: skip
    if not title.strip():
        raise RecordError("Give the agreement a title.")
    row = Agreement(id=agreement_id, title=title.strip(), short_title=short_title.strip(),
                    signed_on=signed_on, place=place.strip())  # fmt: skip
    session.add(row)
    session.flush()
    return agreement_shape(agreement_id)


def agreement_shape(agreement_id: str) -> Changes:
    """An agreement added or removed: the list of agreements, and the tree shown."""
    return Changes(agreements=frozenset({agreement_id}), tree=True)


def delete_empty_agreement(session: Session, agreement_id: str) -> Changes:
    """Undo of creating an agreement: only while it holds nothing."""
    if session.exec(select(Obligation.id).where(Obligation.agreement_id == agreement_id)).first():
        raise RecordError("The agreement holds obligations; delete them first.")
    session.delete(session.get(Agreement, agreement_id))
    session.flush()
    return agreement_shape(agreement_id)


def _siblings(session: Session, agreement_id: str, parent_id: str | None) -> list[Obligation]:
    return list(
        session.exec(
            select(Obligation)
            .where(Obligation.agreement_id == agreement_id, Obligation.parent_id == parent_id)
            .order_by(Obligation.position)
        )
    )


def _place(session: Session, row: Obligation, parent_id: str | None, position: int) -> None:
    """Put `row` among the children of `parent_id` at `position`, renumbering its siblings 0…n."""
    siblings = [s for s in _siblings(session, row.agreement_id, parent_id) if s.id != row.id]
    position = max(0, min(position, len(siblings)))
    siblings.insert(position, row)
    row.parent_id = parent_id
    for index, sibling in enumerate(siblings):
        if sibling.position != index:
            sibling.position = index


def _compact(session: Session, agreement_id: str, parent_id: str | None) -> None:
    for index, sibling in enumerate(_siblings(session, agreement_id, parent_id)):
        if sibling.position != index:
            sibling.position = index


def _set_obligors(session: Session, obligation_id: str, actor_ids: list[str]) -> None:
    current = list(
        session.exec(select(ObligationObligor).where(ObligationObligor.obligation_id == obligation_id))
    )
    wanted = list(dict.fromkeys(actor_ids))
    for link in current:
        if link.actor_id not in wanted:
            session.delete(link)
    existing = {link.actor_id: link for link in current}
    for position, actor_id in enumerate(wanted):
        if actor_id in existing:
            if existing[actor_id].position != position:
                existing[actor_id].position = position
        else:
            session.add(ObligationObligor(obligation_id=obligation_id, actor_id=actor_id, position=position))


def _write_fields(row: Obligation, fields: ObligationFields) -> None:
    values = {
        "ref": fields.ref.strip(), "title": fields.title.strip(), "text": fields.text or None, "kind": str(fields.kind),
        "beneficiary_id": fields.beneficiary_id, "deadline_on": fields.deadline_on,
        "deadline_rule": fields.deadline_rule or None, "ongoing": fields.ongoing, "deadline_note": fields.deadline_note or None,
    }  # fmt: skip
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def add_obligation(
    session: Session, agreement_id: str, parent_id: str | None, position: int, fields: ObligationFields,
    obligation_id: str,
) -> Changes:  # fmt: skip
    _check(session, agreement_id, fields, None)
    row = Obligation(id=obligation_id, agreement_id=agreement_id, ref="", title="", position=position)
    _write_fields(row, fields)
    session.add(row)
    _place(session, row, parent_id, position)
    session.flush()
    _set_obligors(session, row.id, fields.obligor_ids)
    session.flush()
    return _moved(obligation_id)


def _moved(obligation_id: str) -> Changes:
    """An obligation added or moved: the tree's shape, and the obligation to select."""
    return Changes(tree=True, obligations=frozenset({obligation_id}), select=obligation_id)


def obligation_fields(session: Session, obligation_id: str) -> ObligationFields:
    row = _get(session, obligation_id)
    obligors = session.exec(
        select(ObligationObligor.actor_id)
        .where(ObligationObligor.obligation_id == obligation_id)
        .order_by(ObligationObligor.position)
    ).all()
    return ObligationFields(
        ref=row.ref, title=row.title, text=row.text, kind=row.kind, obligor_ids=list(obligors),
        beneficiary_id=row.beneficiary_id, deadline_on=row.deadline_on, deadline_rule=row.deadline_rule,
        ongoing=row.ongoing, deadline_note=row.deadline_note,
    )  # fmt: skip


def update_obligation(session: Session, obligation_id: str, fields: ObligationFields) -> Changes:
    row = _get(session, obligation_id)
    _check(session, row.agreement_id, fields, obligation_id)
    renamed = row.ref != fields.ref.strip()
    _write_fields(row, fields)
    _set_obligors(session, obligation_id, fields.obligor_ids)
    session.flush()
    # The event log shows the reference of each link: a linked obligation renamed reads differently there.
    linked = renamed and _has_links(session, [obligation_id])
    return Changes(obligations=frozenset({obligation_id}), event_log=linked, select=obligation_id)


def _has_links(session: Session, obligation_ids: list[str]) -> bool:
    query = select(EventObligation.event_id).where(col(EventObligation.obligation_id).in_(obligation_ids))
    return session.exec(query.limit(1)).first() is not None


def _get(session: Session, obligation_id: str) -> Obligation:
    return get_or_refuse(session, Obligation, obligation_id, "obligation")


def position_of(session: Session, obligation_id: str) -> tuple[str | None, int]:
    row = _get(session, obligation_id)
    return row.parent_id, row.position


def move_obligation(session: Session, obligation_id: str, parent_id: str | None, position: int) -> Changes:
    """Move an obligation (with its subtree) under `parent_id` at `position`."""
    row = _get(session, obligation_id)
    if parent_id is not None:
        if any(parent_id in level for level in subtree_ids(session, obligation_id)):
            raise RecordError(f"{row.ref} cannot move inside itself.")
        if _get(session, parent_id).agreement_id != row.agreement_id:
            raise RecordError("An obligation can only move within its agreement.")
    old_parent = row.parent_id
    _place(session, row, parent_id, position)
    session.flush()
    if old_parent != parent_id:
        _compact(session, row.agreement_id, old_parent)
        session.flush()
    return _moved(obligation_id)


def subtree_ids(session: Session, obligation_id: str) -> list[list[str]]:
    """The subtree's ids level by level, the obligation itself first."""
    levels, frontier = [], [obligation_id]
    while frontier:
        levels.append(frontier)
        frontier = list(session.exec(select(Obligation.id).where(col(Obligation.parent_id).in_(frontier))))
    return levels


_LINKED = (ObligationObligor, ObligationDependency, Assessment, EventObligation, MetricObligation)


@dataclass
class DeletedSubtree:
    """Everything deleting an obligation removed, so undo can put it back exactly."""

    levels: list[list[dict]]  # obligation rows, the deleted one first, then level by level
    linked: list[tuple[type[SQLModel], dict]]
    targets: list[tuple[str, str]]  # (target point, obligation): target points that named a deleted clause
    changes: Changes  # what the deletion changed; its undo changes the same and selects the obligation again


def delete_obligation(session: Session, obligation_id: str) -> DeletedSubtree:
    row = _get(session, obligation_id)
    agreement_id, parent_id = row.agreement_id, row.parent_id
    levels = subtree_ids(session, obligation_id)
    ids = [i for level in levels for i in level]
    linked = []
    for model in _LINKED:
        condition = col(model.obligation_id).in_(ids)
        if model is ObligationDependency:
            condition = condition | col(ObligationDependency.depends_on_id).in_(ids)
        for link in session.exec(select(model).where(condition)):
            linked.append((model, column_values(link)))
            session.delete(link)
    targets = list(session.exec(select(TargetPoint).where(col(TargetPoint.obligation_id).in_(ids))))
    clauses = [(target.id, target.obligation_id) for target in targets]
    changes = Changes(
        tree=True, obligations=frozenset(ids),
        event_log=any(model is EventObligation for model, _values in linked),  # the log's Obligations column
        metrics=frozenset(target.metric_id for target in targets)
        | frozenset(values["metric_id"] for model, values in linked if model is MetricObligation),
    )  # fmt: skip
    for target in targets:
        target.obligation_id = None
    session.flush()
    rows = [[column_values(session.get(Obligation, i)) for i in level] for level in levels]
    for level in reversed(levels):
        for i in level:
            session.delete(session.get(Obligation, i))
        session.flush()  # deepest first: the database would cascade a parent's delete to its children
    _compact(session, agreement_id, parent_id)
    session.flush()
    return DeletedSubtree(rows, linked, clauses, changes)


def restore_obligation(session: Session, deleted: DeletedSubtree) -> Changes:
    """Undo of delete_obligation."""
    top = Obligation(**deleted.levels[0][0])
    position = top.position
    session.add(top)
    _place(session, top, top.parent_id, position)
    session.flush()
    for level in deleted.levels[1:]:
        session.add_all(Obligation(**values) for values in level)
        session.flush()
    session.add_all(model(**values) for model, values in deleted.linked)
    for target_id, obligation_id in deleted.targets:
        target = session.get(TargetPoint, target_id)
        if target is not None:
            target.obligation_id = obligation_id
    session.flush()
    return replace(deleted.changes, select=top.id)


def assessment_problems(as_of: date, rationale: str) -> dict[str, str]:
    """What is wrong with an assessment's date and rationale, by field name, one sentence each."""
    problems = {}
    for name, check, value in (("as_of", check_date, as_of), ("rationale", check_text, rationale)):
        try:
            check(value)
        except ValueError as error:
            problems[name] = sentence(str(error))
    return problems


def add_assessment(
    session: Session, obligation_id: str, as_of: date, status: str, score: int | None, confidence: str,
    rationale: str, assessed_by: str, assessment_id: str,
) -> Changes:  # fmt: skip
    _get(session, obligation_id)
    if problems := assessment_problems(as_of, rationale):
        raise RecordError(" ".join(problems.values()))
    if status not in list(Status):
        raise RecordError(f"'{status}' is not a status of the compliance scale.")
    if score is not None and score not in (0, 1, 2, 3):
        raise RecordError("The implementation score is 0 (not started) to 3 (full).")
    if confidence not in list(Confidence):
        raise RecordError("Confidence is low, medium or high.")
    row = Assessment(
        id=assessment_id, obligation_id=obligation_id, as_of=as_of, status=status, score=score,
        confidence=confidence, rationale=rationale, assessed_by=assessed_by,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return _assessed(obligation_id)


def _assessed(obligation_id: str) -> Changes:
    return Changes(assessments=frozenset({obligation_id}), select=obligation_id)


@dataclass
class AssessmentValues:
    """What the officer judges in an assessment."""

    as_of: date
    status: str
    score: int | None
    confidence: str
    rationale: str


def assessment_values(session: Session, assessment_id: str) -> AssessmentValues:
    row = get_or_refuse(session, Assessment, assessment_id, "assessment")
    return AssessmentValues(row.as_of, row.status, row.score, row.confidence, row.rationale)


def correct_assessment(
    session: Session, assessment_id: str, values: AssessmentValues, assessed_by: str, version_id: str,
    withdrawal_id: str,
) -> Changes:  # fmt: skip
    """A new version of the assessment (`version_id`), which supersedes it (the old row stays, as history
    must). Moved to another date, the judgement of the old date is also withdrawn (`withdrawal_id`)."""
    old = get_or_refuse(session, Assessment, assessment_id, "assessment")
    changes = add_assessment(session, old.obligation_id, values.as_of, values.status, values.score,
                             values.confidence, values.rationale, assessed_by, version_id)  # fmt: skip
    if values.as_of != old.as_of:
        reason = f"Corrected: the judgement is now as of {values.as_of.isoformat()}."
        changes |= withdraw_assessment(session, assessment_id, reason, assessed_by, withdrawal_id)
    return changes


def withdraw_assessment(
    session: Session, assessment_id: str, reason: str, assessed_by: str, withdrawal_id: str
) -> Changes:
    """Withdraw the judgement of the assessment's date: a version saying so, recorded after it."""
    old = get_or_refuse(session, Assessment, assessment_id, "assessment")
    row = Assessment(
        id=withdrawal_id, obligation_id=old.obligation_id, as_of=old.as_of, status=WITHDRAWN, score=None,
        confidence=old.confidence, rationale=reason.strip(), assessed_by=assessed_by,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return _assessed(old.obligation_id)


def remove_assessment(session: Session, assessment_id: str) -> Changes:
    """Undo of add_assessment (nothing if there is no such row); the audit trail keeps both."""
    row = delete_if_there(session, Assessment, assessment_id)
    return Changes() if row is None else _assessed(row.obligation_id)
