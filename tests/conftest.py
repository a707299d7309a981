"""Shared fixtures. Qt must be told to draw offscreen before anything imports it."""

import itertools
import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes the officer's system keyring: a test that needs one sets its own (keyring.set_keyring).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

import pytest  # noqa: E402

from db.examples import create_database  # noqa: E402
from db.location import Server, parse_location  # noqa: E402
from db.store import Store  # noqa: E402

POSTGRESQL = "postgresql"
OFFICER = "tester"  # who the store fixtures' databases are changed by


def pytest_addoption(parser):
    parser.addoption(
        "--engine", choices=("sqlite", POSTGRESQL), default="sqlite",
        help="where the store fixtures make their databases: files (default), or a throwaway PostgreSQL "
        "server of the run's own (tests/pg_cluster.py); run the PostgreSQL half as: pytest tests/db --engine=postgresql",
    )  # fmt: skip


def pytest_collection_modifyitems(config, items):
    if config.getoption("engine") != POSTGRESQL:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_file")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"about SQLite database files: {marker.args[0] if marker.args else ''}"))


@pytest.fixture(scope="session")
def engine(request) -> str:
    """The engine the store fixtures use (--engine)."""
    return request.config.getoption("engine")


_NAMES = itertools.count(1)


def server_copy(cluster, template: Server, name: str) -> Server:
    """A new database on the test server, a copy of `template` (CREATE DATABASE … TEMPLATE: a file copy)."""
    database = f"{name}_{os.getpid()}_{next(_NAMES)}"
    cluster.psql(f'CREATE DATABASE "{database}" TEMPLATE "{template.database}"')
    return template.with_database(database)


def drop_server_database(cluster, location: Server) -> None:
    cluster.psql(f'DROP DATABASE IF EXISTS "{location.database}" WITH (FORCE)')


_KINDS = (("example", "doha-2020"), ("empty", None))


@pytest.fixture(scope="session")
def _server_templates(pg_cluster):
    """Each kind of database made once on the test server, then copied per test."""
    pg_cluster.psql(f"CREATE ROLE {OFFICER} SUPERUSER LOGIN")  # the server's trail names the database role
    locations = {}
    for name, example in _KINDS:
        locations[name] = parse_location(pg_cluster.url(f"template_{name}", user=OFFICER))
        create_database(locations[name], example, user=OFFICER).close()
    return locations


@pytest.fixture(scope="session")
def _templates(tmp_path_factory, engine, request):
    """Each kind of database made once (migrations and seeding take a while), then copied per test."""
    if engine == POSTGRESQL:
        return request.getfixturevalue("_server_templates")
    folder = tmp_path_factory.mktemp("templates")
    locations = {}
    for name, example in _KINDS:
        locations[name] = folder / f"{name}.sqlite"
        create_database(locations[name], example, user=OFFICER).close()
    return locations


@pytest.fixture
def _copies(request):
    """Databases made on the test server for one test, dropped after it."""
    made: list[Server] = []
    yield made
    if made:
        cluster = request.getfixturevalue("pg_cluster")
        for location in made:
            drop_server_database(cluster, location)


def _copy(templates, name, folder, request=None, made=None, called=None) -> Store:
    """A copy of the template `name`, open: a file in `folder` (named `called`), or a database on the server."""
    template = templates[name]
    if isinstance(template, Server):
        location = server_copy(request.getfixturevalue("pg_cluster"), template, called or name)
        made.append(location)
        return Store.open(location, user="tester")
    path = folder / f"{called or name}.sqlite"
    shutil.copyfile(template, path)
    return Store.open(path, user="tester")


@pytest.fixture(scope="session")
def store_copy(_templates, request):
    """store_copy(name, folder, called): one more database like the store fixtures' (`name`: "example" or
    "empty"), for tests that need several or a session-wide fixture (hypothesis); the test closes it. The
    databases it made on a server are dropped at the end of the run."""
    made: list[Server] = []
    yield lambda name, folder, called: _copy(_templates, name, folder, request, made, called)
    for location in made:
        drop_server_database(request.getfixturevalue("pg_cluster"), location)


@pytest.fixture(scope="session")
def desk_templates(tmp_path_factory):
    """Two desks that each loaded the example on their own (not copies of one file): tests/desks.py. Their
    random ids (the desk ids that own the example's changes) the same in every run: the exchange compares
    dots, desk ids included, so a run of a property test depends on them."""
    from tests.desks import seeded_ids

    folder = tmp_path_factory.mktemp("desks")
    paths = []
    for name in ("amina", "bruno"):
        paths.append(folder / f"{name}.sqlite")
        with seeded_ids(name):
            create_database(paths[-1], "doha-2020", user=name).close()
    return paths


@pytest.fixture(scope="session")
def _server_desk_templates(request):
    """desk_templates' two desks as databases on the test server (--engine=postgresql), each made by a role
    named after its officer, as the trail names who changed what."""
    cluster = request.getfixturevalue("pg_cluster")
    locations = []
    for name in ("amina", "bruno"):
        cluster.psql(f"CREATE ROLE {name} SUPERUSER LOGIN")
        locations.append(parse_location(cluster.url(f"desk_{name}", user=name)))
        create_database(locations[-1], "doha-2020", user=name).close()
    return locations


@pytest.fixture
def desks(desk_templates, tmp_path, engine, request, _copies):
    """Desks A and B of tests/desks.py, open, closed after the test: files, or with --engine=postgresql two
    databases on the test server."""
    from tests.desks import desks_at

    if engine == POSTGRESQL:
        cluster, stores = request.getfixturevalue("pg_cluster"), []
        for template in request.getfixturevalue("_server_desk_templates"):
            _copies.append(server_copy(cluster, template, template.url.username))
            stores.append(Store.open(_copies[-1], user=template.url.username))
        a, b = stores
    else:
        a, b = desks_at(desk_templates, tmp_path)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def copy_of(request, _copies, tmp_path):
    """copy_of(store, called): one more database holding what `store` holds, open, a desk of its own (a file
    copy, or on the test server CREATE DATABASE … TEMPLATE); the test closes it."""

    def copy(store: Store, called: str) -> Store:
        if store.server is None:
            path = tmp_path / "copies" / f"{called}.sqlite"  # a folder of their own: the desks are named too
            path.parent.mkdir(exist_ok=True)
            shutil.copyfile(store.path, path)
            return Store.open(path, user=called)
        store.engine.dispose()  # a database is copied only while nobody is connected to it
        _copies.append(server_copy(request.getfixturevalue("pg_cluster"), store.server, called))
        return Store.open(_copies[-1], user=called)

    return copy


@pytest.fixture
def example_store(_templates, tmp_path, request, _copies):
    """A fresh database seeded with the Doha example, closed after the test."""
    store = _copy(_templates, "example", tmp_path, request, _copies)
    yield store
    store.close()


@pytest.fixture
def example_on_server(_server_templates, tmp_path, request, _copies):
    """The Doha example on the test server, whatever --engine says (the window's tests on a server)."""
    store = _copy(_server_templates, "example", tmp_path, request, _copies)
    yield store
    store.close()


@pytest.fixture
def empty_store(_templates, tmp_path, request, _copies):
    store = _copy(_templates, "empty", tmp_path, request, _copies)
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
