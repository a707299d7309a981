"""Same thing, same id: two desks that load the same example or import the same file hold the same rows."""

import sqlite3
from pathlib import Path

from db.event_import import import_events
from db.examples import create_database

DATA = Path(__file__).parent.parent / "data"

UUID_TABLES = ("agreement", "actor", "actoralias", "party", "obligation", "metric", "targetpoint",
               "observation", "event", "assessment", "importfile")  # fmt: skip


def _ids(path) -> dict[str, set[str]]:
    connection = sqlite3.connect(path)
    try:
        return {table: {row[0] for row in connection.execute(f"SELECT id FROM {table}")} for table in UUID_TABLES}
    finally:
        connection.close()


def test_two_desks_loading_the_example_and_one_acled_file_hold_the_same_ids(tmp_path):
    paths = [tmp_path / "a.sqlite", tmp_path / "b.sqlite"]
    for user, path in zip(("amina", "bruno"), paths, strict=True):
        store = create_database(path, "doha-2020", user=user)
        import_events(store, DATA / "acled_afghanistan.csv")
        store.close()
    first, second = (_ids(path) for path in paths)
    assert first == second
    assert all(first[table] for table in UUID_TABLES)


def test_loading_the_example_again_makes_a_second_copy_with_ids_of_its_own(tmp_path):
    from db.agreement_document import read_document
    from db.agreement_load import import_document
    from db.examples import example_path

    store = create_database(tmp_path / "a.sqlite", "doha-2020", user="amina")
    with store.writing("Import agreement") as session:
        import_document(session, read_document(example_path("doha-2020")))
    store.close()
    ids = _ids(tmp_path / "a.sqlite")
    assert len(ids["agreement"]) == 2
    connection = sqlite3.connect(tmp_path / "a.sqlite")
    per_agreement = connection.execute("SELECT count(*) FROM obligation GROUP BY agreement_id").fetchall()
    assert per_agreement[0] == per_agreement[1] and per_agreement[0][0] > 10
