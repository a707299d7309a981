"""Agreement documents: the bundled example, and documents that must be refused with a clear place."""

import copy
import json
from pathlib import Path

import pytest
from sqlmodel import func, select

from db.agreement_document import parse_document, read_document
from db.agreement_load import import_document
from db.errors import DocumentError
from db.examples import example_path
from db.models import (
    Actor,
    Assessment,
    Event,
    EventObligation,
    Metric,
    Obligation,
    ObligationDependency,
    Observation,
    Party,
    TargetPoint,
)
from db.tree import list_agreements, obligation_detail

REFERENCE_REFS = {
    "Intro-3", "Intro-4", "P1-A.1", "P1-A.2", "P1-B", "P1-C.1", "P1-C.2", "P1-C.3", "P1-D", "P1-E", "P1-F",
    "P2-1", "P2-2", "P2-3", "P2-4", "P2-5", "P3-1", "P3-2", "P3-3",
}  # fmt: skip


@pytest.fixture(scope="module")
def example():
    return json.loads(example_path("doha-2020").read_text(encoding="utf-8"))


def test_example_holds_every_obligation_of_the_reference():
    document = read_document(example_path("doha-2020"))
    obligations = {o.ref: o for o in document.all_obligations() if o.kind != "section"}
    assert set(obligations) == REFERENCE_REFS
    assert obligations["P1-A.1"].deadline_rule == "135 days after signing"
    assert obligations["P1-B"].deadline_rule == "14 months after signing"
    assert obligations["P1-C.3"].deadline_rule == "3 months after Intro-3"
    assert str(obligations["Intro-3"].deadline_on) == "2020-03-10"
    assert document.agreement["signed_on"].isoformat() == "2020-02-29"


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_example_is_stored_whole(example_store):
    with example_store.reading() as session:
        (agreement,) = list_agreements(session)
        assert agreement.title == "Agreement for Bringing Peace to Afghanistan"
        assert ("United States", "signatory") in agreement.parties
        assert ("Taliban", "signatory") in agreement.parties
        assert ("Afghan government", "non_signatory") in agreement.parties
        assert _count(session, Obligation) == 25  # 19 obligations in 6 sections
        assert _count(session, Metric) == 3
        troops = session.exec(select(Metric).where(Metric.name == "US troops in Afghanistan")).one()
        targets = session.exec(
            select(TargetPoint.on, TargetPoint.value)
            .where(TargetPoint.metric_id == troops.id)
            .order_by(TargetPoint.on)
        ).all()
        assert [(d.isoformat(), v) for d, v in targets] == [
            ("2020-02-29", 13000),
            ("2020-07-13", 8600),
            ("2021-04-29", 0),
        ]
        observed = session.exec(
            select(Observation.observed_on, Observation.value)
            .where(Observation.metric_id == troops.id)
            .order_by(Observation.observed_on)
        ).all()
        assert ("2021-08-30", 0) in [(d.isoformat(), v) for d, v in observed]
        assert ("2020-06-18", 8500) in [(d.isoformat(), v) for d, v in observed]
        assert _count(session, Event) >= 17
        assert _count(session, EventObligation) > 0
        assert _count(session, Assessment) >= 5
        assert _count(session, Party) == 5
        p1c3 = session.exec(select(Obligation).where(Obligation.ref == "P1-C.3")).one()
        detail = obligation_detail(session, p1c3.id)
        assert [ref for ref, _, _ in detail.depends_on] == ["Intro-3"]
        assert _count(session, ObligationDependency) >= 4


def test_actors_are_matched_by_alias_on_a_second_import(example_store):
    document = read_document(example_path("doha-2020"))
    with example_store.reading() as session:
        actors_before = _count(session, Actor)
    with example_store.writing("Import again") as session:
        import_document(session, document)
    with example_store.reading() as session:
        assert _count(session, Actor) == actors_before
        assert len(list_agreements(session)) == 2


def _broken(example, change):
    document = copy.deepcopy(example)
    change(document)
    return document


BROKEN = [
    ("format", lambda d: d.update(format="something/else"), r"\$\.format"),
    ("version", lambda d: d.update(version=7), r"\$\.version: version 7 is not supported"),
    ("no title", lambda d: d["agreement"].pop("title"), r"\$\.agreement\.title: a text value is required"),
    ("bad date", lambda d: d["agreement"].update(signed_on="2020-02-30"), r"\$\.agreement\.signed_on: '2020-02-30' is not a date"),
    ("bad kind", lambda d: d["obligations"][0].update(kind="wish"), r"\$\.obligations\[0\]\.kind: 'wish' is not one of"),
    ("bad rule", lambda d: d["obligations"][1]["children"][0].update(deadline={"rule": "soon"}), r"deadline\.rule: 'soon' is not a deadline rule"),
    ("two deadlines", lambda d: d["obligations"][1]["children"][0].update(deadline={"date": "2020-01-01", "ongoing": True}), "exactly one of"),
    ("unknown obligor", lambda d: d["obligations"][1]["children"][0].update(obligors=["martians"]), r"obligors\[0\]: 'martians' is not the key of an actor"),
    ("duplicate ref", lambda d: d["obligations"][1]["children"][0].update(ref="Intro-3"), "the obligation ref 'Intro-3' appears twice"),
    ("unknown link", lambda d: d["events"][0]["links"].append({"ref": "P9", "bearing": "context"}), r"'P9' is not the ref of an obligation"),
    ("bad grade", lambda d: d["events"][0]["source"].update(reliability="Z"), r"reliability: 'Z' is not one of"),
    ("grade as a list", lambda d: d["events"][0]["source"].update(reliability=[]), r"\$\.events\[0\]\.source\.reliability: expected text, found a list"),
    ("score", lambda d: d["assessments"][0].update(score=5), r"score: 5 is not an implementation score; use a whole number from 0 to 3"),
    ("fatalities", lambda d: d["events"][0].update(fatalities=-2), r"fatalities: -2 is not a number of fatalities"),
    ("number as text", lambda d: d["metrics"][0]["targets"][0].update(value="8600"), r"value: expected a figure, found text"),
    # Values the rest of the application could not draw or the record could not hold (issue 11):
    ("rule of days", lambda d: _first_rule(d, "3000000 days after signing"), r"deadline\.rule: 3,000,000 days is longer than the record's calendar"),
    ("rule of years", lambda d: _first_rule(d, "8000 years after signing"), r"deadline\.rule: 8,000 years is longer"),
    ("rule of months", lambda d: _first_rule(d, "100000 months after signing"), r"deadline\.rule: 100,000 months is longer"),
    ("rule of 11 digits", lambda d: _first_rule(d, "99999999999 days after signing"), r"deadline\.rule: 99,999,999,999 days is longer"),
    ("rule past 2200", lambda d: _first_rule(d, "190 years after signing"), r"deadline\.rule: '190 years after signing' falls on 2210-02-28, after 2200"),
    ("rule after s", lambda d: _first_rule(d, "135 days after s"), r"deadline\.rule: there is no clause s in this agreement"),
    ("infinite target", lambda d: d["metrics"][0]["targets"][0].update(value=float("inf")), r"targets\[0\]\.value: inf is not a figure"),
    ("NaN observation", lambda d: d["metrics"][0]["observations"][0].update(value=float("nan")), r"observations\[0\]\.value: nan is not a figure"),
    ("huge tolerance", lambda d: d["metrics"][0].update(tolerance=2**70), r"tolerance: a number of more than 20 digits is not a tolerance"),
    ("latitude 1000", lambda d: d["events"][0]["location"].update(latitude=1000, longitude=65), r"location\.latitude: 1000 is not a latitude; use a number from -90 to 90"),
    ("half a place", lambda d: d["events"][0]["location"].update(latitude=34.5), r"location: give both latitude and longitude, or neither"),
    ("huge fatalities", lambda d: d["events"][0].update(fatalities=2**63), r"fatalities: 9223372036854775808 is not a number of fatalities"),
    ("version true", lambda d: d.update(version=True), r"\$\.version: version True is not supported"),
    ("version 1.0", lambda d: d.update(version=1.0), r"\$\.version: version 1.0 is not supported"),
    ("year 1066", lambda d: d["events"][0].update(on="1066-10-14"), r"\.on: 1066-10-14 is outside the years 1900–2200"),
    ("year 9999", lambda d: d["assessments"][0].update(as_of="9999-12-31"), r"as_of: 9999-12-31 is outside the years 1900–2200"),
    ("lone surrogate", lambda d: d["agreement"].update(title="Doha\ud800"), r"\$\.agreement\.title: the text holds a broken character"),
    ("NUL", lambda d: d["actors"][0].update(name="Taliban\x00"), r"\$\.actors\[0\]\.name: the text holds a NUL character"),
    ("duplicate party", lambda d: d["parties"].append(dict(d["parties"][0])), r"\$\.parties\[5\]\.actor: the party 'us' appears twice"),
    ("duplicate dependency", lambda d: _first_with_dependency(d)["depends_on"].append(dict(_first_with_dependency(d)["depends_on"][0])), r"depends_on: the dependency on '[^']+' appears twice"),
    ("deep tree", lambda d: d["obligations"].append(_nested(40)), r"the tree of obligations is deeper than 32 levels"),
    ("list", lambda d: d.update(actors={}), r"\$\.actors: expected a list, found an object"),
]  # fmt: skip


def _obligations(nodes):
    for node in nodes:
        yield node
        yield from _obligations(node.get("children", []))


def _first_rule(document, rule):
    next(o for o in _obligations(document["obligations"]) if "rule" in (o.get("deadline") or {}))[
        "deadline"
    ] = {"rule": rule}


def _first_with_dependency(document):
    return next(o for o in _obligations(document["obligations"]) if o.get("depends_on"))


def _nested(depth):
    node = {"ref": f"deep-{depth}", "title": "Deep"}
    return node if depth == 1 else {**node, "children": [_nested(depth - 1)]}


@pytest.mark.parametrize(("name", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_documents_are_refused_with_the_place(example, name, change, message):
    with pytest.raises(DocumentError, match=message) as refused:
        parse_document(_broken(example, change), "doha.json")
    assert str(refused.value).startswith("doha.json: at $")
    assert str(refused.value).endswith("correct the document and import it again.")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "accord-desk/agreement",\n "version": 1,\n oops}', r"line 3, column 2: not valid JSON"),
        (b'{"title": "caf\xe9"}', "not UTF-8"),
        (b"[]", r"at \$: expected an object, found a list"),
        (b"", "line 1, column 1: not valid JSON"),
        # What json.loads raised other than JSONDecodeError, or the record could not store (issue 11):
        (
            b'{"format": "accord-desk/agreement", "version": ' + b"9" * 5000 + b"}",
            r"\$\.version: version inf is not supported",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
    ],
)
def test_unreadable_files_are_refused_with_line(tmp_path, content, message):
    path = tmp_path / "agreement.json"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        read_document(path)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + example_path("doha-2020").read_bytes())
    assert read_document(path).agreement["place"] == "Doha, Qatar"


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(DocumentError, match="is a folder; name the agreement document"):
        read_document(tmp_path)


def test_an_endless_file_is_read_only_to_the_limit(monkeypatch):
    monkeypatch.setattr("db.agreement_document.MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(DocumentError, match="the file is larger than"):
        read_document(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace('"value": 8600', '"value": NaN'), r"targets\[1\]\.value: nan is not a figure"),
        (lambda text: text.replace('"value": 8600', '"value": -Infinity'), r"targets\[1\]\.value: -inf is not a figure"),
        (lambda text: text.replace('"value": 8600', '"value": 1' + "0" * 5000), r"targets\[1\]\.value: inf is not a figure"),
        (lambda text: text.replace('"name": "Taliban"', '"name": "Taliban\\ud800"'), r"actors\[\d+\]\.name: the text holds a broken character"),
        (lambda text: text.replace('"fatalities": null', '"fatalities": 99999999999999999999999', 1), r"fatalities: a number of more than 20 digits"),
    ],
)  # fmt: skip
def test_json_the_record_cannot_hold_is_refused_at_its_path(tmp_path, change, message):
    path = tmp_path / "agreement.json"
    text = example_path("doha-2020").read_text(encoding="utf-8")
    assert change(text) != text
    path.write_text(change(text), encoding="utf-8")
    with pytest.raises(DocumentError, match=message):
        read_document(path)


def test_two_keys_for_one_actor_of_the_record_are_not_two_parties(example_store, example):
    """The record knows "Islamic Emirate of Afghanistan" as the Taliban: the document's two keys are one actor."""
    document = _broken(example, lambda d: None)
    document["actors"].append(
        {"key": "emirate", "name": "Islamic Emirate of Afghanistan", "kind": "armed_group"}
    )
    document["actors"] = [
        a for a in document["actors"] if "Islamic Emirate of Afghanistan" not in a.get("aliases", [])
    ] + [{"key": "taliban", "name": "Taliban", "kind": "armed_group"}]
    document["parties"].append({"actor": "emirate", "role": "observer"})
    document["obligations"][1]["children"][0]["obligors"] = ["taliban", "emirate"]
    parsed = parse_document(document, "doha.json")
    with example_store.reading() as session:
        before = _count(session, Party)
    with pytest.raises(
        DocumentError, match=r"\$\.parties\[\d+\]\.actor: 'emirate' and 'taliban' are one actor"
    ), example_store.writing("Import") as session:
        import_document(session, parsed)
    with example_store.reading() as session:
        assert _count(session, Party) == before
    document["parties"].pop()
    with example_store.writing("Import") as session:
        import_document(session, parse_document(document, "doha.json"))  # obligors: one row for the one actor
