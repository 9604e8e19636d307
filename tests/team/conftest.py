"""A real PostgreSQL server for the team-store tests (one per test session), and a fresh
database per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, find_bin_dir

_COUNTER = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found: apt-get install postgresql"
        )
    pytest.importorskip("sqlalchemy", reason="the team extra (SQLAlchemy) is not installed")
    pytest.importorskip("psycopg", reason="the team extra (psycopg) is not installed")
    server = PostgresServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


def new_database(postgres: PostgresServer) -> str:
    """The URL of a new, empty database."""
    name = f"coda_t{next(_COUNTER)}"
    postgres.create_database(name)
    return postgres.url(name)


@pytest.fixture
def team_url(postgres: PostgresServer) -> str:
    """The URL of an empty database of its own."""
    return new_database(postgres)
