"""sanctuary.db.PreparedStatement: PREPAREd once per connection, EXECUTEd through Django's cursor."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sanctuary.db import PreparedStatement

pytestmark = pytest.mark.django_db


def _prepared(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_named_placeholders_become_numbered_parameters_of_the_declared_types() -> None:
    statement = PreparedStatement("t_numbered", "SELECT %(a)s + %(b)s, %(a)s || ''", {"a": "integer", "b": "integer"})
    assert statement.prepare_sql == "PREPARE t_numbered (integer, integer) AS SELECT $1 + $2, $1 || ''"
    assert statement.execute_sql == "EXECUTE t_numbered (%s, %s)"


@pytest.mark.parametrize(
    ("name", "sql", "types", "message"),
    [
        ("t_missing", "SELECT %(a)s, %(b)s", {"a": "integer"}, "no PostgreSQL type declared for b"),
        ("bad name;", "SELECT 1", {}, "not a plain SQL name"),
        ("t_percent", "SELECT 5 % %(a)s", {"a": "integer"}, "no literal %"),
    ],
)
def test_a_statement_it_cannot_prepare_safely_is_refused_up_front(
    name: str,
    sql: str,
    types: dict,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        PreparedStatement(name, sql, types)


def test_it_prepares_once_per_connection_and_each_call_is_one_logged_execute() -> None:
    statement = PreparedStatement("t_once", "SELECT %(a)s * 2, %(note)s", {"a": "integer", "note": "text"})
    with CaptureQueriesContext(connection) as queries:
        assert statement.fetchone({"a": 21, "note": "it's"}) == (42, "it's")
        assert statement.fetchone({"a": 2, "note": ""}) == (4, "")
    assert [q["sql"] for q in queries] == ["EXECUTE t_once (21, 'it''s')", "EXECUTE t_once (2, '')"]
    assert _prepared("t_once") == 1


@pytest.mark.django_db(transaction=True)  # closes the connection: not inside the test's transaction
def test_the_statement_survives_a_rolled_back_transaction_and_a_new_connection() -> None:
    statement = PreparedStatement("t_again", "SELECT %(a)s + 1", {"a": "integer"})
    with transaction.atomic():
        assert statement.fetchone({"a": 1}) == (2,)
        transaction.set_rollback(True)
    assert statement.fetchone({"a": 2}) == (3,)
    connection.close()  # a new connection has no prepared statements: it prepares again
    assert statement.fetchone({"a": 3}) == (4,)
    assert _prepared("t_again") == 1
