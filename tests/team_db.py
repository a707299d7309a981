"""A team database on the test run's PostgreSQL cluster (tests/pg_cluster.py), with its officers:
`amina` edits agreement A only, `bruno` is an editor with no agreement, `carla` only reads, `dana`
administers. Each Team is a database of its own (and roles of its own: they are cluster-wide)."""

import itertools
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, SQLModel

from db import audit, team_server

_numbers = itertools.count(1)
OFFICERS = {"amina": "editor", "bruno": "editor", "carla": "reader", "dana": "administrator"}


def sqlalchemy_url(libpq_url: str) -> str:
    return libpq_url.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass
class Team:
    cluster: object
    database: str
    engine: Engine  # as the owner (postgres)
    roles: team_server.Roles
    agreement_a: str = "agreement-a"
    agreement_b: str = "agreement-b"
    obligation_a: str = "obligation-a"
    obligation_b: str = "obligation-b"

    def officer(self, name: str) -> str:
        return f"{self.database}_{name}"

    def url(self, name: str | None = None) -> str:
        return self.cluster.url(self.database, self.officer(name) if name else "postgres")

    def connect(self, name: str, **options) -> psycopg.Connection:
        return psycopg.connect(self.url(name), **options)

    def engine_of(self, name: str) -> Engine:
        return create_engine(sqlalchemy_url(self.url(name)))

    def psql(self, sql: str, name: str | None = None) -> str:
        return self.cluster.psql(sql, self.database, self.officer(name) if name else "postgres")

    def dispose(self) -> None:
        self.engine.dispose()


def writing(engine: Engine, action: str, who: str):
    """An ORM session as Store.writing makes one (the server audits; the session keeps versions)."""
    session = Session(engine, expire_on_commit=False)
    audit.attach(session, who=who, action=action)
    return session


_TEMPLATE = "team_template"
_templates: set[str] = set()  # the clusters (by folder) holding the template


def _template(cluster) -> None:
    """The schema and the seed rows, made once per cluster; each Team copies it (CREATE DATABASE … TEMPLATE)."""
    if str(cluster.folder) in _templates:
        return
    cluster.psql(f"CREATE DATABASE {_TEMPLATE}")
    engine = create_engine(sqlalchemy_url(cluster.url(_TEMPLATE)))
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        team_server.install(connection)
    engine.dispose()  # a template is copied only while nobody is connected to it
    cluster.psql("".join(
        f"INSERT INTO agreement (id, title, short_title, signed_on, place, version) "
        f"VALUES ('agreement-{x}', 'Agreement {x.upper()}', '', '2020-02-29', '', 1);"
        f"INSERT INTO obligation (id, agreement_id, position, ref, title, kind, ongoing, version) "
        f"VALUES ('obligation-{x}', 'agreement-{x}', 0, 'P1-{x.upper()}', 'Withdraw {x}', 'action', false, 1);"
        f"INSERT INTO assessment (id, obligation_id, as_of, status, confidence, rationale, assessed_by, recorded_at, version) "
        f"VALUES ('assessment-{x}', 'obligation-{x}', '2020-06-01', 'on_track', 'medium', '', 'postgres', now(), 1);"
        for x in "ab"
    ), _TEMPLATE)  # fmt: skip
    _templates.add(str(cluster.folder))


def make_team(cluster) -> Team:
    _template(cluster)
    name = f"team_{next(_numbers)}"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    engine = create_engine(sqlalchemy_url(cluster.url(name)))
    with engine.begin() as connection:
        roles = team_server.install(connection)  # the copy's own roles
    team = Team(cluster, name, engine, roles)
    for officer, level in OFFICERS.items():
        cluster.psql(f"CREATE ROLE {team.officer(officer)} LOGIN IN ROLE {getattr(roles, level)}")
    with engine.begin() as connection:
        team_server.assign(connection, team.officer("amina"), team.agreement_a)
    return team
