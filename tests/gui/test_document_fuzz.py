"""Property: an agreement document with any field mutated (wrong types, extremes, duplicates) is either
refused by `import-agreement` in one sentence with the database unchanged, or imported and then shown
by `status`, `export-pdf` and the window without a traceback.

ACCORD_DESK_FUZZ_EXAMPLES raises the example count for a long run (the issue's report quotes 2,000).
"""

import contextlib
import copy
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from db.store import Store
from gui.cli import main
from gui.desk import Desk
from gui.main_window import MainWindow
from tests.record_digest import content_digest

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

BASE = {
    "format": "accord-desk/agreement",
    "version": 1,
    "agreement": {"title": "Ceasefire in the north", "short_title": "North", "signed_on": "2020-02-29", "place": "Doha"},
    "actors": [
        {"key": "a", "name": "Northern Front", "kind": "armed_group", "aliases": ["NF"]},
        {"key": "g", "name": "Government of the North", "kind": "government", "aliases": []},
    ],
    "parties": [{"actor": "a", "role": "signatory"}, {"actor": "g", "role": "signatory", "represented_by": "Envoy"}],
    "obligations": [
        {"ref": "S1", "title": "Part one", "kind": "section", "children": [
            {"ref": "S1-1", "title": "Cease fire", "kind": "prohibition", "obligors": ["a", "g"], "deadline": {"ongoing": True}},
            {"ref": "S1-2", "title": "Withdraw to barracks", "kind": "quantitative", "obligors": ["g"],
             "beneficiary": "a", "deadline": {"rule": "135 days after signing"}, "deadline_note": "within 135 days"},
            {"ref": "S1-3", "title": "Release prisoners", "kind": "action", "obligors": ["a"],
             "deadline": {"rule": "3 months after S1-2"}, "depends_on": [{"ref": "S1-2", "note": "after withdrawal"}]},
            {"ref": "S1-4", "title": "Open talks", "kind": "process", "deadline": {"date": "2020-06-01"}},
        ]},
    ],
    "metrics": [
        {"key": "m", "name": "Troops deployed", "unit": "troops", "direction": "decrease", "tolerance": 50,
         "obligations": ["S1-2"],
         "targets": [{"on": "2020-02-29", "value": 1000, "ref": "S1-2"}, {"on": "2020-07-13", "value": 0, "ref": "S1-2"}],
         "observations": [{"on": "2020-04-01", "precision": "day", "value": 700, "qualifier": "about", "claimant": "g", "source": "Press"}]},
    ],
    "events": [
        {"on": "2020-03-04", "precision": "day", "type": "Battles", "sub_type": "Armed clash", "actors": ["a", "g"],
         "location": {"name": "Hill 4", "country": "Northland", "latitude": 34.5, "longitude": 65.1, "geo_precision": 1},
         "fatalities": 3, "notes": "Clash", "source": {"name": "Press", "reliability": "B", "credibility": "2"},
         "links": [{"ref": "S1-1", "bearing": "breach"}]},
    ],
    "assessments": [
        {"ref": "S1-4", "as_of": "2020-06-02", "status": "met", "score": 3, "confidence": "high", "rationale": "Talks opened", "by": "desk"},
    ],
}  # fmt: skip

EXTREMES = [
    None, True, False, 0, -1, 1.5, 2**31, -(2**63), 2**64, 10**30, 1e308, float("inf"), float("-inf"), float("nan"),
    "", " ", "x" * 100_001, "\ud800", "a\x00b", "Ω≈ç", "<img src=x>", "1899-12-31", "2201-01-01", "9999-12-31",
    "2020-02-30", "3000000 days after signing", "8000 years after signing", "100000 months after signing",
    "99999999999 days after signing", "135 days after s", "2 weeks after S1-4", [], {}, [[[[]]]], {"ref": "S1"},
]  # fmt: skip


def _paths(value, path=()):
    """Every place in the document: each value, and each list (to hold a duplicate of its items)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


PATHS = [path for path in _paths(BASE) if path]


def _mutate(document, path, how, extreme):
    *parent_path, last = path
    parent = document
    for key in parent_path:
        parent = parent[key]
    if how == "replace":
        parent[last] = copy.deepcopy(extreme)
    elif how == "remove":
        del parent[last]
    elif how == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif how == "duplicate" and isinstance(parent[last], list) and parent[last]:
        parent[last].append(copy.deepcopy(parent[last][0]))


MUTATION = st.tuples(
    st.sampled_from(PATHS),
    st.sampled_from(["replace", "replace", "remove", "duplicate"]),
    st.sampled_from(EXTREMES),
)


def _document(mutations):
    document = copy.deepcopy(BASE)
    for path, how, extreme in mutations:
        with contextlib.suppress(KeyError, IndexError, TypeError):  # an earlier mutation took the place
            _mutate(document, path, how, extreme)
    return document


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def template_agreements(_templates) -> set[str]:
    with contextlib.closing(sqlite3.connect(_templates["example"])) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM agreement")}


EXAMPLES = int(os.environ.get("ACCORD_DESK_FUZZ_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_a_document_is_refused_in_one_sentence_or_shown_everywhere(
    capsys, qtbot, settings_folder, _templates, template_agreements, mutations
):
    document = _document(mutations)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        database, source = folder / "record.sqlite", folder / "agreement.json"
        shutil.copyfile(_templates["example"], database)
        source.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")
        before = content_digest(database)
        code, out, err = _run(capsys, "import-agreement", "--db", str(database), str(source))
        event("refused" if code else "imported")
        if code != 0:
            assert code == 1 and err.startswith("accord-desk: ") and err.count("\n") == 1, err
            assert "internal error" not in err and "Traceback" not in err, err
            assert content_digest(database) == before
            return
        assert err == "" and out.startswith("Imported ")
        code, out, err = _run(capsys, "status", "--db", str(database))
        assert (code, err) == (0, ""), err
        code, out, err = _run(capsys, "status", "--db", str(database), "--format", "json")
        assert (code, err) == (0, ""), err
        (imported,) = [a["id"] for a in json.loads(out)["agreements"] if a["id"] not in template_agreements]
        pdf = ["export-pdf", "--db", str(database), "--agreement", imported, "-o", str(folder / "r.pdf")]
        code, out, err = _run(capsys, *pdf)
        assert (code, err) == (0, ""), err
        store = Store.open(database, user="tester")
        desk = Desk(store)
        window = MainWindow(desk)  # a slot raising while it lays out the record fails the test (pytest-qt)
        qtbot.addWidget(window)
        window.show()
        qtbot.wait(20)
        window.close()
        desk.close()
