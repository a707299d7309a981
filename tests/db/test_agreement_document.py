"""Agreement documents: the bundled example, and documents that must be refused with a clear place."""

import copy
import json

import pytest
from sqlmodel import func, select

from db.agreement_document import import_document, parse_document, read_document
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
    ("score", lambda d: d["assessments"][0].update(score=5), r"score: 5 is not an implementation score"),
    ("fatalities", lambda d: d["events"][0].update(fatalities=-2), "fatalities cannot be negative"),
    ("number as text", lambda d: d["metrics"][0]["targets"][0].update(value="8600"), r"value: expected a number, found text"),
    ("list", lambda d: d.update(actors={}), r"\$\.actors: expected a list, found an object"),
]  # fmt: skip


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
