"""A database connection the server closed is opened anew for the next request."""

import psycopg2
import pytest
from django.db import close_old_connections, connection


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_server_closed_the_connection_opens_a_new_one():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    kept = connection.connection.get_backend_pid()

    # PostgreSQL ends the session, as a restart or an administrator would,
    # while the portal keeps it open between requests.
    other = psycopg2.connect(**connection.get_connection_params())
    with other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept])
    other.close()
    # What Django does when the next request starts.
    close_old_connections()

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection.get_backend_pid() != kept
