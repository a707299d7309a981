"""The PDF compliance summary's content, assembled as plain data; gui/ only paints it.

Everything a chief reads is decided here: which obligations changed, which events are cited, the
sentences of the summary, and a fingerprint of the database content the report was made from.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path

from sqlalchemy import select as core_select
from sqlmodel import Session, select

from db.as_of import happened_by
from db.audit import last_entry
from db.clock import full_name, utc_now
from db.compliance import Standing
from db.content import content_digest
from db.event_log import PAIR_SEPARATOR, ROLE_SEPARATOR, actor_roles, agreement_events, obligation_refs
from db.event_rules import actors_in_roles, date_label, grade_label, place_label
from db.metrics import MetricSeries, list_metrics, metric_series
from db.models import Event, EventObligation, Obligation
from db.officer_words import newest_words
from db.parties import party_groups
from db.phrasing import deadline_text
from db.plot_data import series_as_of
from db.report_findings import Completion, Finding, key_findings
from db.tree import ObligationNode, counts_by_party, list_agreements, load_tree
from db.values import MAX_TEXT_CHARS, check_text, sentence
from db.vocabulary import COMPLETED, STATUS_SEVERITY, ObligationKind, Status

EVENTS_LINKED = "linked"
EVENTS_ALL = "all"


@dataclass
class ReportRow:
    depth: int
    ref: str
    title: str
    obligors: str
    deadline: str
    status: Status
    computed: Status
    reason: str
    is_section: bool


@dataclass
class StatusChange:
    ref: str
    title: str
    before: Status
    after: Status
    reason: str
    evidence: list[str]  # "2020-09-12 Intra-Afghan negotiations open in Doha (B2)"


@dataclass
class ChronologyEntry:
    when: str  # with its precision: "2020-04", "week of 2020-04-06"
    what: str  # type and sub-type
    place: str
    notes: str
    source: str
    grade: str
    obligations: str  # linked refs with bearing


@dataclass
class ReportContent:
    agreement_title: str
    short_title: str
    signed: str
    parties: list[tuple[str, str]]
    as_of: date
    since: date | None
    prepared_by: str
    generated_at: datetime
    fingerprint: str
    chain_head: str
    counts_by_party: list[tuple[str, dict[Status, int]]]
    summary: list[str]
    rows: list[ReportRow]
    metrics: list[MetricSeries]
    changes: list[StatusChange] = field(default_factory=list)
    chronology: Iterable[ChronologyEntry] = ()  # a Chronology: walk it while the reading is open
    events_scope: str = EVENTS_LINKED
    findings: list[Finding] = field(default_factory=list)
    officer_summary: str = ""  # the officer's own words, shown verbatim and never interpreted
    party_members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a party's name: the actors it groups

    def parties_text(self) -> str:
        """ "Taliban (signatory); Afghan government (non-signatory, counting Military Forces of …)"."""
        return "; ".join(
            f"{name} ({role.replace('_', '-')}"
            + (f", counting {', '.join(self.party_members[name])})" if self.party_members.get(name) else ")")
            for name, role in self.parties
        )


def chain_head(session: Session) -> str:
    """The audit trail's newest entry and its hash, as the report's provenance names them."""
    entry_id, entry_hash = last_entry(session.connection())
    return f"entry {entry_id:,}, SHA-256 {entry_hash}" if entry_id else "no entries"


def fingerprint(session: Session) -> str:
    """The record's content digest (db.content): the same content gives the same fingerprint, on any
    desk, whatever history led to it; the chain head, printed beside it, names that history."""
    return content_digest(session.connection())


def _walk(nodes: list[ObligationNode], depth: int = 0):
    for node in nodes:
        yield depth, node
        yield from _walk(node.children, depth + 1)


def _span(days: int) -> str:
    """A human length of time: '12 days', 'four months'."""
    words = [
        "no",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ]
    if days < 45:
        return "one day" if days == 1 else f"{days} days"
    months = round(days / 30.44)
    return f"{words[months] if months < len(words) else months} months"


def summary_sentences(leaves: list[tuple[ObligationNode, Standing]], as_of: date) -> list[str]:
    counts = Counter(standing.status for _, standing in leaves)
    total = len(leaves)
    met = counts[Status.MET] + counts[Status.MET_LATE]
    noun = "obligation" if total == 1 else "obligations"
    parts = [
        f"{met} of {total} {noun} met"
        + (f" ({counts[Status.MET_LATE]} late)" if counts[Status.MET_LATE] else "")
    ]
    for status in STATUS_SEVERITY:
        if status not in COMPLETED and counts[status]:
            parts.append(f"{counts[status]} {status.label.lower()}")
    sentences = [f"As of {as_of.isoformat()}: " + ", ".join(parts) + "."]
    for node, standing in leaves:
        deadline = standing.deadline.on
        if (
            node.kind == ObligationKind.QUANTITATIVE
            and standing.computed == Status.MET_LATE
            and deadline
            and standing.quantity
        ):
            reached = standing.quantity.observed_on
            if reached and reached > deadline:
                sentences.append(
                    f"{node.ref} ({node.title}) was reached {reached.isoformat()}, "
                    f"{_span((reached - deadline).days)} after its deadline {deadline.isoformat()}."
                )
    return sentences


def _evidence(session: Session, obligation_id: str, since: date, as_of: date) -> list[str]:
    rows = session.exec(
        select(
            Event.occurred_on, Event.event_type, Event.notes, Event.reliability, Event.credibility,
            Event.date_precision, Event.occurred_until,
        )  # fmt: skip
        .join(EventObligation, EventObligation.event_id == Event.id)
        .where(
            EventObligation.obligation_id == obligation_id,
            Event.occurred_on > since,
            Event.occurred_on <= as_of,
        )
        .order_by(Event.occurred_on)
    )
    return [
        f"{date_label(on, precision, until)} {notes or kind} ({grade_label(r, c)})".replace(" ()", "")
        for on, kind, notes, r, c, precision, until in rows
        if happened_by(on, precision, as_of, until)
    ]


class Chronology:
    """The period's events with their actors and links, read afresh from the record each time it is walked
    and never held: an agreement may have a million, and the PDF walks them twice (to count its pages, then
    to paint them). Walk it only while the reading it came from is open (one snapshot for both walks)."""

    def __init__(self, session: Session, agreement_id: str, since: date | None, as_of: date, scope: str):
        self._connection = session.connection()
        self._query, self._as_of = _chronology_query(agreement_id, since, as_of, scope), as_of

    def __iter__(self) -> Iterator[ChronologyEntry]:
        as_of = self._as_of
        # yield_per: rows arrive in batches (a server cursor on PostgreSQL), never the whole result at once.
        for (on, precision, until, kind, sub_kind, location, admin1, country, notes, source, reliability, credibility,
             roles, refs) in self._connection.execution_options(yield_per=1000).execute(self._query):  # fmt: skip
            # SQL narrows by the day; a week- or month-dated event counts once its period ended (db.as_of).
            if not happened_by(on, precision, as_of, until):
                continue
            actors = actors_in_roles([tuple(pair.split(ROLE_SEPARATOR, 1)) for pair in roles.split(PAIR_SEPARATOR)]) if roles else ""
            yield ChronologyEntry(
                when=date_label(on, precision, until),
                what=" — ".join(filter(None, [kind, sub_kind])),
                place=place_label(location, admin1, country),
                notes=" ".join(filter(None, [f"{actors}:" if actors else "", notes or ""])),
                source=source or "",
                grade=grade_label(reliability, credibility),
                obligations=refs or "",
            )  # fmt: skip


def chronology_rows(chronology: Iterable[ChronologyEntry]) -> Iterator[list[str]] | None:
    """The chronology's rows as both reports print them (when, what, where, notes, source, obligations),
    read as they are taken; None when it holds no event."""
    entries = iter(chronology)
    first = next(entries, None)
    if first is None:
        return None
    return (
        [e.when, e.what, e.place, e.notes, f"{e.source} ({e.grade})" if e.grade else e.source, e.obligations]
        for e in chain([first], entries)
    )


def _chronology_query(agreement_id: str, since: date | None, as_of: date, scope: str):
    """One query that walks the events once (never a bound parameter per event: SQLite allows 250,000 a
    statement, and an agreement may have more)."""
    columns = (
        Event.occurred_on, Event.date_precision, Event.occurred_until, Event.event_type, Event.sub_event_type,
        Event.location, Event.admin1, Event.country, Event.notes, Event.source_name, Event.reliability,
        Event.credibility, actor_roles(), obligation_refs(),
    )  # fmt: skip
    if scope == EVENTS_LINKED:
        # From the links of the agreement's obligations to their events: as many reads as events linked.
        linked = (
            select(EventObligation.event_id)
            .join(Obligation, Obligation.id == EventObligation.obligation_id)
            .where(Obligation.agreement_id == agreement_id)
            .distinct()
            .subquery()
        )
        query = core_select(*columns).join_from(linked, Event, Event.id == linked.c.event_id)
    else:
        query = core_select(*columns).where(agreement_events(agreement_id))
    query = query.where(Event.occurred_on <= as_of).order_by(Event.occurred_on, Event.recorded_at)
    if since is not None:
        query = query.where(Event.occurred_on > since)
    return query


def report_content(
    session: Session, agreement_id: str | None, as_of: date, since: date | None = None, events: str = EVENTS_LINKED,
    prepared_by: str | None = None, officer_summary: str | None = None,
) -> ReportContent:  # fmt: skip
    """The report as of the date. The officer's words are the agreement's newest kept in the record
    (db.officer_words) unless `officer_summary` gives others for this report (`--summary FILE.txt`).
    Its chronology is read from `session` as it is walked: write the report before the reading ends."""
    agreements = list_agreements(session)
    if not agreements:
        from db.errors import UserError

        raise UserError("The database holds no agreement to report on; create or import one first.")
    agreement = next((a for a in agreements if a.id == agreement_id), agreements[0])
    tree = load_tree(session, agreement.id, as_of)
    walked = list(_walk(tree))
    leaves = [(node, node.standing) for _, node in walked if not node.is_section]
    rows = [
        ReportRow(
            depth,
            node.ref,
            node.title,
            ", ".join(node.obligors),
            deadline_text(node.standing),
            node.standing.status,
            node.standing.computed,
            node.standing.reason,
            node.is_section,
        )  # fmt: skip
        for depth, node in walked
    ]
    content = ReportContent(
        agreement_title=agreement.title,
        short_title=agreement.short_title,
        signed=" in ".join(
            filter(None, [agreement.signed_on.isoformat() if agreement.signed_on else "", agreement.place])
        ),
        parties=agreement.parties,
        party_members={g.name: tuple(n for _id, n in g.members) for g in party_groups(session, agreement.id)},
        as_of=as_of,
        since=since,
        prepared_by=prepared_by or full_name(),
        generated_at=utc_now(),
        fingerprint=fingerprint(session),
        chain_head=chain_head(session),
        counts_by_party=counts_by_party(tree, agreement.parties),
        summary=summary_sentences(leaves, as_of),
        rows=rows,
        metrics=[series_as_of(metric_series(session, m.id), as_of) for m in list_metrics(session, agreement.id)],
        events_scope=events,
        officer_summary=newest_words(session, agreement.id) if officer_summary is None else officer_summary,
    )
    completions = []
    if since is not None:
        before = {node.id: node.standing for _, node in _walk(load_tree(session, agreement.id, since))}
        for node, standing in leaves:
            earlier = before.get(node.id)
            if earlier is not None and earlier.status != standing.status:
                change = StatusChange(
                    node.ref, node.title, earlier.status, standing.status, standing.reason,
                    _evidence(session, node.id, since, as_of),
                )  # fmt: skip
                content.changes.append(change)
                if standing.status in COMPLETED:
                    completions.append(Completion(node, tuple(change.evidence)))
    content.findings = key_findings([node for node, _ in leaves], as_of, since, completions)
    content.chronology = Chronology(session, agreement.id, since, as_of, events)
    return content


def officer_summary_from(path: Path) -> str:
    """The officer's assessment in words, read from a UTF-8 text file; UserError in one sentence."""
    from db.errors import UserError

    try:
        with path.open("rb") as file:
            data = file.read(MAX_TEXT_CHARS * 4 + 1)  # UTF-8 takes at most 4 bytes a character
    except FileNotFoundError:
        raise UserError(f"{path} does not exist; give the summary's text file with --summary FILE.txt.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; give the summary's text file with --summary FILE.txt.") from None
    except OSError as error:
        raise UserError(f"{path} cannot be read ({error.strerror}); check its permissions.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path} is not UTF-8 text (byte {error.start + 1:,}); save it as UTF-8 and try again."
        ) from None
    try:
        return check_text(text.replace("\r\n", "\n"), f"the summary in {path}")
    except ValueError as error:
        raise UserError(sentence(str(error))) from None
