"""Shared fixtures. Qt must be told to draw offscreen before anything imports it."""

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from db.examples import create_database  # noqa: E402
from db.store import Store  # noqa: E402


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """Each kind of database made once (migrations and seeding take a while), then copied per test."""
    folder = tmp_path_factory.mktemp("templates")
    paths = {}
    for name, example in (("example", "doha-2020"), ("empty", None)):
        paths[name] = folder / f"{name}.sqlite"
        create_database(paths[name], example, user="tester").close()
    return paths


def _copy(templates, name, tmp_path) -> Store:
    path = tmp_path / f"{name}.sqlite"
    shutil.copyfile(templates[name], path)
    return Store.open(path, user="tester")


@pytest.fixture(scope="session")
def desk_templates(tmp_path_factory):
    """Two desks that each loaded the example on their own (not copies of one file): tests/desks.py."""
    folder = tmp_path_factory.mktemp("desks")
    paths = []
    for name in ("amina", "bruno"):
        paths.append(folder / f"{name}.sqlite")
        create_database(paths[-1], "doha-2020", user=name).close()
    return paths


@pytest.fixture
def desks(desk_templates, tmp_path):
    """Desks A and B of tests/desks.py, open, closed after the test."""
    from tests.desks import desks_at

    a, b = desks_at(desk_templates, tmp_path)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def example_store(_templates, tmp_path):
    """A fresh database seeded with the Doha example, closed after the test."""
    store = _copy(_templates, "example", tmp_path)
    yield store
    store.close()


@pytest.fixture
def empty_store(_templates, tmp_path):
    store = _copy(_templates, "empty", tmp_path)
    yield store
    store.close()


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    """No test writes the officer's data folder (the default database, the log of defects) or reads
    who the officer is from their settings (db.officer)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server of the test run's own (tests/pg_cluster.py), started on first use."""
    from tests import pg_cluster as cluster_module

    cluster = cluster_module.start()
    yield cluster
    cluster.stop()
