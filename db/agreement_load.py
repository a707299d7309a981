"""Write a validated agreement document (db.agreement_document) into the record as a new agreement."""

from sqlmodel import Session

from db import audit
from db.actors import actor_keys
from db.agreement_document import AgreementDocument, DocActor, DocObligation
from db.errors import DocumentError
from db.ids import actor_id as actor_id_of
from db.ids import alias_id, derived_id, free_id
from db.models import (
    Actor,
    ActorAlias,
    Agreement,
    Assessment,
    Event,
    EventActor,
    EventObligation,
    Metric,
    MetricObligation,
    Obligation,
    ObligationDependency,
    ObligationObligor,
    Observation,
    Party,
    PartyMember,
    TargetPoint,
)
from db.vocabulary import Origin


def _actor_ids(session: Session, actors: list[DocActor]) -> dict[str, str]:
    """Map document actors to actors already in the record by name or alias; create the others."""
    known = actor_keys(session)
    ids: dict[str, str] = {}
    for item in actors:
        names = [item.name, *item.aliases]
        actor_id = next((known[n.casefold()] for n in names if n.casefold() in known), None)
        if actor_id is None:
            row = Actor(id=free_id(session, Actor, actor_id_of(item.name)), name=item.name, kind=str(item.kind), notes=item.notes)
            session.add(row)
            actor_id = known[item.name.casefold()] = row.id
        ids[item.key] = actor_id
        for name in names:
            if name.casefold() not in known:
                known[name.casefold()] = actor_id
                key = name.casefold()
                session.add(ActorAlias(id=free_id(session, ActorAlias, alias_id(key)), actor_id=actor_id, alias=name, alias_key=key))
    return ids


def import_document(session: Session, doc: AgreementDocument, origin: Origin = Origin.IMPORTED) -> str:
    """Write a validated document as a new agreement in the caller's transaction; returns its id.

    Its rows' ids derive from the document's content (db.ids), so two desks that load the same document
    hold the same agreement; a desk that loads it again holds a second copy, with ids of its own."""
    copy = 0
    while session.get(Agreement, derived_id("agreement", doc.identity, str(copy))) is not None:
        copy += 1
    agreement = Agreement(id=derived_id("agreement", doc.identity, str(copy)), **doc.agreement)

    def row_id(kind: str, *names: str) -> str:
        return derived_id(kind, agreement.id, *names)

    session.add(agreement)
    actors = _actor_ids(session, doc.actors)
    # Two keys of the document may name one actor of the record (a name and its alias).
    keys_by_actor = {actors[key]: key for key, _, _ in reversed(doc.parties)}
    parties: dict[str, str] = {}  # actor id: party id
    for index, (actor_key, role, represented_by) in enumerate(doc.parties):
        if keys_by_actor[actors[actor_key]] != actor_key:
            raise DocumentError(
                f"At $.parties[{index}].actor: '{actor_key}' and '{keys_by_actor[actors[actor_key]]}' are one "
                "actor in the record (by name or alias), which would be a party twice; list it once and "
                "import the document again."
            )
        party = Party(
            id=row_id("party", actor_key), agreement_id=agreement.id, actor_id=actors[actor_key], role=role,
            represented_by=represented_by,
        )  # fmt: skip
        session.add(party)
        parties[party.actor_id] = party.id
    grouped: set[str] = set()  # as for parties, two keys may name one actor of the record
    for party_key, member_keys in doc.members.items():
        for member in dict.fromkeys(actors[key] for key in member_keys):
            if member in parties or member in grouped:
                raise DocumentError(
                    f"At $.parties: a member of '{party_key}' is, in the record (by name or alias), a party or a member "
                    "of another party; an actor counts as one party. Correct the document and import it again."
                )
            grouped.add(member)
            session.add(PartyMember(party_id=parties[actors[party_key]], actor_id=member))

    ids: dict[str, str] = {}

    def add(nodes: list[DocObligation], parent_id: str | None):
        for position, node in enumerate(nodes):
            row = Obligation(
                id=row_id("obligation", node.ref), agreement_id=agreement.id, parent_id=parent_id, position=position, ref=node.ref,
                title=node.title, text=node.text, kind=node.kind,
                beneficiary_id=actors.get(node.beneficiary) if node.beneficiary else None,
                deadline_on=node.deadline_on, deadline_rule=node.deadline_rule, ongoing=node.ongoing,
                deadline_note=node.deadline_note,
            )  # fmt: skip
            session.add(row)
            ids[node.ref] = row.id
            add(node.children, row.id)

    add(doc.obligations, None)
    session.flush()  # parents before the rows that point to them
    for node in doc.all_obligations():
        for position, actor_id in enumerate(dict.fromkeys(actors[key] for key in node.obligors)):
            session.add(ObligationObligor(obligation_id=ids[node.ref], actor_id=actor_id, position=position))
        for dependency, note in node.depends_on:
            session.add(
                ObligationDependency(obligation_id=ids[node.ref], depends_on_id=ids[dependency], note=note)
            )
    for item in doc.metrics:
        metric = Metric(
            id=row_id("metric", item.key),
            agreement_id=agreement.id,
            name=item.name,
            unit=item.unit,
            direction=item.direction,
            tolerance=item.tolerance,
        )
        session.add(metric)
        for obligation_ref in dict.fromkeys(item.obligations):
            session.add(MetricObligation(metric_id=metric.id, obligation_id=ids[obligation_ref]))
        for index, (on, value, target_ref, note) in enumerate(item.targets):
            session.add(
                TargetPoint(
                    id=row_id("targetpoint", item.key, str(index)), metric_id=metric.id, on=on, value=value, obligation_id=ids.get(target_ref), note=note
                )
            )
        for index, o in enumerate(item.observations):
            session.add(
                Observation(
                    id=row_id("observation", item.key, str(index)),
                    metric_id=metric.id,
                    observed_on=o.on,
                    date_precision=o.precision,
                    value=o.value,
                    qualifier=o.qualifier,
                    claimant_id=actors.get(o.claimant) if o.claimant else None,
                    source=o.source,
                    note=o.note,
                )  # fmt: skip
            )
    user = audit.who(session)
    for index, item in enumerate(doc.events):
        event = Event(
            id=row_id("event", str(index)), agreement_id=agreement.id, occurred_on=item.on, date_precision=item.precision, event_type=item.type,
            sub_event_type=item.sub_type, fatalities=item.fatalities, notes=item.notes, origin=str(origin),
            recorded_by=user, **item.location, **item.source,
        )  # fmt: skip
        session.add(event)
        for position, actor_id in enumerate(dict.fromkeys(actors[key] for key in item.actors)):
            session.add(
                EventActor(event_id=event.id, actor_id=actor_id, role="actor1" if position == 0 else "actor2")
            )
        for link_ref, bearing in dict(item.links).items():
            session.add(EventObligation(event_id=event.id, obligation_id=ids[link_ref], bearing=bearing))
    for index, item in enumerate(doc.assessments):
        session.add(
            Assessment(
                id=row_id("assessment", str(index)),
                obligation_id=ids[item.ref],
                as_of=item.as_of,
                status=item.status,
                score=item.score,
                confidence=item.confidence,
                rationale=item.rationale,
                assessed_by=item.by,
            )  # fmt: skip
        )
    session.flush()
    return agreement.id
