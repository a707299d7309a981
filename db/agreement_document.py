"""Agreement documents (resources/examples/FORMAT.md): read and validate.

The bundled example and a user's `accord-desk import-agreement` take the same path: `read_document`
validates the whole document into plain dataclasses first, and db.agreement_load's `import_document` then
writes it in the caller's transaction, so a bad document changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db.deadlines import rule_problem
from db.errors import DocumentError
from db.values import (
    FATALITIES,
    FIGURE,
    GEO_PRECISION,
    LATITUDE,
    LONGITUDE,
    MAX_TREE_DEPTH,
    SCORE,
    TOLERANCE,
    Bound,
    check_date,
    check_number,
    check_text,
    first_repeat,
)
from db.vocabulary import (
    CREDIBILITY,
    RELIABILITY,
    ActorKind,
    Bearing,
    Confidence,
    DatePrecision,
    Direction,
    ObligationKind,
    PartyRole,
    Qualifier,
    Status,
)

FORMAT = "accord-desk/agreement"
VERSION = 1
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


@dataclass
class DocActor:
    key: str
    name: str
    kind: str
    aliases: list[str]
    notes: str | None


@dataclass
class DocObligation:
    ref: str
    title: str
    text: str | None
    kind: str
    obligors: list[str]
    beneficiary: str | None
    deadline_on: date | None
    deadline_rule: str | None
    ongoing: bool
    deadline_note: str | None
    depends_on: list[tuple[str, str | None]]
    children: list["DocObligation"]


@dataclass
class DocObservation:
    on: date
    precision: str
    value: float
    qualifier: str
    claimant: str | None
    source: str | None
    note: str | None


@dataclass
class DocMetric:
    key: str
    name: str
    unit: str
    direction: str
    tolerance: float
    obligations: list[str]
    targets: list[tuple[date, float, str | None, str | None]]
    observations: list[DocObservation]


@dataclass
class DocEvent:
    on: date
    precision: str
    type: str
    sub_type: str | None
    actors: list[str]
    location: dict[str, Any]
    fatalities: int | None
    notes: str | None
    source: dict[str, Any]
    links: list[tuple[str, str]]


@dataclass
class DocAssessment:
    ref: str
    as_of: date
    status: str
    score: int | None
    confidence: str
    rationale: str
    by: str


@dataclass
class AgreementDocument:
    agreement: dict[str, Any]
    actors: list[DocActor] = field(default_factory=list)
    parties: list[tuple[str, str, str | None]] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # a party's key: the actors grouped under it
    obligations: list[DocObligation] = field(default_factory=list)
    metrics: list[DocMetric] = field(default_factory=list)
    events: list[DocEvent] = field(default_factory=list)
    assessments: list[DocAssessment] = field(default_factory=list)
    # The document's content (SHA-256 of its canonical JSON): what its rows' ids derive from (db.ids).
    identity: str = ""

    def all_obligations(self) -> list[DocObligation]:
        found: list[DocObligation] = []

        def walk(nodes):
            for node in nodes:
                found.append(node)
                walk(node.children)

        walk(self.obligations)
        return found


class _Reader:
    """Typed access to JSON values that names the path of whatever is wrong."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, message: str):
        raise DocumentError(f"{self.source}: at {path}: {message}; correct the document and import it again.")

    def object(self, value, path) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, found {_kind(value)}")
        return value

    def items(self, parent: dict, key: str, path: str) -> list[tuple[str, Any]]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"expected a list, found {_kind(value)}")
        return [(f"{path}.{key}[{index}]", item) for index, item in enumerate(value)]

    def text(self, parent: dict, key: str, path: str, *, required: bool = False, default=None):
        value = parent.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{path}.{key}", "a text value is required")
            return default
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", f"expected text, found {_kind(value)}")
        return self.check(check_text, value, f"{path}.{key}")

    def check(self, check, value, path: str, *args):
        """`check(value, *args)` of db.values, its ValueError told at `path`."""
        try:
            return check(value, *args)
        except ValueError as error:
            self.fail(path, str(error))

    def texts(self, parent: dict, key: str, path: str) -> list[str]:
        return [self.text({"v": v}, "v", p, required=True) for p, v in self.items(parent, key, path)]

    def date(self, parent: dict, key: str, path: str, *, required: bool = False) -> date | None:
        value = self.text(parent, key, path, required=required)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", f"'{value[:40]}' is not a date; write it as YYYY-MM-DD")
        return self.check(check_date, parsed, f"{path}.{key}")

    def number(self, parent: dict, key: str, path: str, bound: Bound, *, required: bool = False):
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "a number is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{path}.{key}", f"expected {bound.what}, found {_kind(value)}")
        return self.check(check_number, value, f"{path}.{key}", bound)

    def choice(self, parent: dict, key: str, path: str, allowed, default=None) -> str:
        value = self.text(parent, key, path, required=default is None, default=default)
        values = [str(v) for v in allowed]
        if value not in values:
            self.fail(f"{path}.{key}", f"'{value}' is not one of: {', '.join(values)}")
        return value


def _shown(value) -> str:
    """A scalar as the document wrote it, a list or object by its kind (its repr may be huge)."""
    return repr(value)[:40] if isinstance(value, int | float | str | None) else _kind(value)


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


def read_document(path: Path) -> AgreementDocument:
    """Read and validate an agreement document file; DocumentError names file and place of any fault."""
    if path.is_dir():
        raise DocumentError(f"{path} is a folder; name the agreement document (a .json file) itself.")
    try:
        with path.open("rb") as handle:  # bounded by the bytes read: /dev/zero or a pipe has no size
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise DocumentError(f"{path}: cannot be read ({error.strerror}); check the path.") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path}: the file is larger than {MAX_DOCUMENT_BYTES // 2**20} MB; split it.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DocumentError(
            f"{path}, line {line}: the file is not UTF-8; save it as UTF-8 and try again."
        ) from None
    try:
        data = json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); correct it."
        ) from None
    except RecursionError:
        raise DocumentError(
            f"{path}: the JSON is nested too deeply to read (an agreement's tree is at most "
            f"{MAX_TREE_DEPTH} levels deep); correct the document."
        ) from None
    return parse_document(data, str(path))


def _whole_number(digits: str) -> int | float:
    """A JSON integer; one too long for int() (over 4,300 digits) becomes an infinite float, which
    db.values refuses at its JSON path instead of json failing without one."""
    return int(digits) if len(digits) <= 40 else float(digits)


def parse_document(data: Any, source: str = "document") -> AgreementDocument:
    r = _Reader(source)
    root = r.object(data, "$")
    if root.get("format") != FORMAT:
        r.fail("$.format", f'expected "{FORMAT}"; this is not an Accord Desk agreement document')
    if type(root.get("version")) is not int or root.get("version") != VERSION:  # true == 1 in Python
        r.fail(
            "$.version",
            f"version {_shown(root.get('version'))} is not supported (this Accord Desk reads {VERSION})",
        )
    head = r.object(root.get("agreement"), "$.agreement")
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    doc = AgreementDocument(
        identity=hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest(),  # refused later
        agreement={
            "title": r.text(head, "title", "$.agreement", required=True),
            "short_title": r.text(head, "short_title", "$.agreement", default=""),
            "signed_on": r.date(head, "signed_on", "$.agreement"),
            "place": r.text(head, "place", "$.agreement", default=""),
            "source_citation": r.text(head, "source_citation", "$.agreement"),
            "notes": r.text(head, "notes", "$.agreement"),
        }
    )
    for path, item in r.items(root, "actors", "$"):
        item = r.object(item, path)
        doc.actors.append(
            DocActor(
                key=r.text(item, "key", path, required=True),
                name=r.text(item, "name", path, required=True),
                kind=r.choice(item, "kind", path, ActorKind, default=ActorKind.OTHER),
                aliases=r.texts(item, "aliases", path),
                notes=r.text(item, "notes", path),
            )
        )
    actor_keys = _unique(r, [(f"$.actors[{i}].key", a.key) for i, a in enumerate(doc.actors)], "actor key")
    _unique(
        r,
        [(f"$.actors[{i}]", n.casefold()) for i, a in enumerate(doc.actors) for n in {a.name, *a.aliases}],
        "actor name or alias",
    )

    def actor(value: str | None, path: str) -> str | None:
        if value is not None and value not in actor_keys:
            r.fail(path, f"'{value}' is not the key of an actor in $.actors")
        return value

    for path, item in r.items(root, "parties", "$"):
        item = r.object(item, path)
        doc.parties.append(
            (
                actor(r.text(item, "actor", path, required=True), f"{path}.actor"),
                r.choice(item, "role", path, PartyRole),
                r.text(item, "represented_by", path),
            )
        )
        members = [actor(key, f"{path}.members[{i}]") for i, key in enumerate(r.texts(item, "members", path))]
        if members:
            doc.members[doc.parties[-1][0]] = members
    parties = _unique(r, [(f"$.parties[{i}].actor", key) for i, (key, _, _) in enumerate(doc.parties)], "party")
    grouped = [(f"$.parties[{i}].members[{j}]", key) for i, (party, _, _) in enumerate(doc.parties)
               for j, key in enumerate(doc.members.get(party, []))]  # fmt: skip
    _unique(r, grouped, "party member (an actor counts as one party)")
    for path, key in grouped:
        if key in parties:
            r.fail(path, f"'{key}' is a party itself; a party's members are actors that are not parties")
    rules: list[tuple[str, str]] = []  # (JSON path, rule): checked once every clause's ref is known

    def obligation(item, path, depth=1) -> DocObligation:
        item = r.object(item, path)
        if depth > MAX_TREE_DEPTH:
            r.fail(path, f"the tree of obligations is deeper than {MAX_TREE_DEPTH} levels")
        deadline = item.get("deadline")
        deadline_on, rule, ongoing = None, None, False
        if deadline is not None:
            deadline = r.object(deadline, f"{path}.deadline")
            deadline_on = r.date(deadline, "date", f"{path}.deadline")
            rule = r.text(deadline, "rule", f"{path}.deadline")
            ongoing = deadline.get("ongoing") is True
            if sum([deadline_on is not None, rule is not None, ongoing]) != 1:
                r.fail(f"{path}.deadline", 'give exactly one of "date", "rule" or "ongoing": true')
            if rule is not None:
                rules.append((f"{path}.deadline.rule", rule))
        depends_on = [
            (r.text(r.object(d, p), "ref", p, required=True), r.text(d, "note", p))
            for p, d in r.items(item, "depends_on", path)
        ]
        if (twice := first_repeat(ref for ref, _ in depends_on)) is not None:
            r.fail(f"{path}.depends_on", f"the dependency on '{twice}' appears twice; give it once")
        return DocObligation(
            ref=r.text(item, "ref", path, required=True),
            title=r.text(item, "title", path, required=True),
            text=r.text(item, "text", path),
            kind=r.choice(item, "kind", path, ObligationKind, default=ObligationKind.ACTION),
            obligors=[
                actor(k, p)
                for (p, _), k in zip(
                    r.items(item, "obligors", path), r.texts(item, "obligors", path), strict=True
                )
            ],
            beneficiary=actor(r.text(item, "beneficiary", path), f"{path}.beneficiary"),
            deadline_on=deadline_on,
            deadline_rule=rule,
            ongoing=ongoing,
            deadline_note=r.text(item, "deadline_note", path),
            depends_on=depends_on,
            children=[obligation(child, p, depth + 1) for p, child in r.items(item, "children", path)],
        )

    doc.obligations = [obligation(item, path) for path, item in r.items(root, "obligations", "$")]
    refs = _unique(r, [("$.obligations", o.ref) for o in doc.all_obligations()], "obligation ref")

    def ref(value: str | None, path: str) -> str | None:
        if value is not None and value not in refs:
            r.fail(path, f"'{value}' is not the ref of an obligation in this document")
        return value

    for node in doc.all_obligations():
        for dependency, _ in node.depends_on:
            ref(dependency, f"$.obligations ({node.ref}).depends_on")
    for path, rule in rules:
        if problem := rule_problem(rule, doc.agreement["signed_on"], refs):
            r.fail(path, problem)

    for path, item in r.items(root, "metrics", "$"):
        item = r.object(item, path)
        doc.metrics.append(
            DocMetric(
                key=r.text(item, "key", path, required=True),
                name=r.text(item, "name", path, required=True),
                unit=r.text(item, "unit", path, default=""),
                direction=r.choice(item, "direction", path, Direction, default=Direction.DECREASE),
                tolerance=r.number(item, "tolerance", path, TOLERANCE) or 0.0,
                obligations=[
                    ref(v, p)
                    for (p, _), v in zip(
                        r.items(item, "obligations", path), r.texts(item, "obligations", path), strict=True
                    )
                ],
                targets=[
                    (
                        r.date(r.object(t, p), "on", p, required=True),
                        r.number(t, "value", p, FIGURE, required=True),
                        ref(r.text(t, "ref", p), f"{p}.ref"),
                        r.text(t, "note", p),
                    )
                    for p, t in r.items(item, "targets", path)
                ],
                observations=[
                    DocObservation(
                        on=r.date(r.object(o, p), "on", p, required=True),
                        precision=r.choice(o, "precision", p, DatePrecision, default=DatePrecision.DAY),
                        value=r.number(o, "value", p, FIGURE, required=True),
                        qualifier=r.choice(o, "qualifier", p, Qualifier, default=Qualifier.EXACT),
                        claimant=actor(r.text(o, "claimant", p), f"{p}.claimant"),
                        source=r.text(o, "source", p),
                        note=r.text(o, "note", p),
                    )
                    for p, o in r.items(item, "observations", path)
                ],
            )
        )
    _unique(r, [(f"$.metrics[{i}].key", m.key) for i, m in enumerate(doc.metrics)], "metric key")

    for path, item in r.items(root, "events", "$"):
        item = r.object(item, path)
        location = r.object(item.get("location") or {}, f"{path}.location")
        source = r.object(item.get("source") or {}, f"{path}.source")
        fatalities = r.number(item, "fatalities", path, FATALITIES)
        place = f"{path}.location"
        latitude, longitude = (
            r.number(location, k, place, b) for k, b in (("latitude", LATITUDE), ("longitude", LONGITUDE))
        )
        if (latitude is None) != (longitude is None):
            r.fail(place, "give both latitude and longitude, or neither")
        doc.events.append(
            DocEvent(
                on=r.date(item, "on", path, required=True),
                precision=r.choice(item, "precision", path, DatePrecision, default=DatePrecision.DAY),
                type=r.text(item, "type", path, required=True),
                sub_type=r.text(item, "sub_type", path),
                actors=[
                    actor(v, p)
                    for (p, _), v in zip(
                        r.items(item, "actors", path), r.texts(item, "actors", path), strict=True
                    )
                ],
                location={
                    "location": r.text(location, "name", f"{path}.location"),
                    "admin1": r.text(location, "admin1", f"{path}.location"),
                    "admin2": r.text(location, "admin2", f"{path}.location"),
                    "admin3": r.text(location, "admin3", f"{path}.location"),
                    "country": r.text(location, "country", f"{path}.location"),
                    "latitude": latitude,
                    "longitude": longitude,
                    "geo_precision": r.number(location, "geo_precision", place, GEO_PRECISION),
                },
                fatalities=fatalities,
                notes=r.text(item, "notes", path),
                source={
                    "source_name": r.text(source, "name", f"{path}.source"),
                    "source_reference": r.text(source, "reference", f"{path}.source"),
                    "source_accessed_on": r.date(source, "accessed_on", f"{path}.source"),
                    # Only null or "" mean ungraded: an empty list is refused like any other wrong value.
                    "reliability": None if source.get("reliability") in (None, "")
                    else r.choice(source, "reliability", f"{path}.source", RELIABILITY),
                    "credibility": None if source.get("credibility") in (None, "")
                    else r.choice(source, "credibility", f"{path}.source", CREDIBILITY),
                },
                links=[
                    (
                        ref(r.text(r.object(link, p), "ref", p, required=True), f"{p}.ref"),
                        r.choice(link, "bearing", p, Bearing),
                    )
                    for p, link in r.items(item, "links", path)
                ],
            )
        )

    for path, item in r.items(root, "assessments", "$"):
        item = r.object(item, path)
        score = r.number(item, "score", path, SCORE)
        doc.assessments.append(
            DocAssessment(
                ref=ref(r.text(item, "ref", path, required=True), f"{path}.ref"),
                as_of=r.date(item, "as_of", path, required=True),
                status=r.choice(item, "status", path, Status),
                score=score,
                confidence=r.choice(item, "confidence", path, Confidence, default=Confidence.MEDIUM),
                rationale=r.text(item, "rationale", path, default=""),
                by=r.text(item, "by", path, default="imported"),
            )
        )
    return doc


def _unique(r: _Reader, entries: list[tuple[str, str]], what: str) -> set[str]:
    seen: set[str] = set()
    for path, value in entries:
        if value in seen:
            r.fail(path, f"the {what} '{value}' appears twice; each must be unique")
        seen.add(value)
    return seen
