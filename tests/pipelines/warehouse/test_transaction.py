"""One transaction: everything inside it commits together, or nothing does."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse.transaction import transaction


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        yield connection


def test_a_block_that_ends_commits_every_statement(con):
    with transaction(con):
        con.execute("INSERT INTO t VALUES (1), (2)")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_a_block_that_fails_leaves_nothing(con):
    with pytest.raises(ValueError), transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise ValueError("a check failed after the first insert")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_an_interrupt_rolls_back_too(con):
    with pytest.raises(KeyboardInterrupt), transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise KeyboardInterrupt
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)
