"""Tests of the health endpoint against the real database and broker."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_reports_the_database(client):
    response = client.get("/healthz")

    body = response.json()
    assert body["database"] == {"ok": True, "vendor": connection.vendor}


@pytest.mark.django_db
@pytest.mark.postgres
def test_it_reaches_postgresql(client):
    response = client.get("/healthz")

    assert response.json()["database"]["vendor"] == "postgresql"


@pytest.mark.django_db
@pytest.mark.redis
def test_it_reaches_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": connection.vendor},
        "broker": {"ok": True, "mode": "redis"},
    }


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False


@pytest.mark.django_db
def test_it_reports_eager_mode_without_a_broker(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "mode": "eager"}


def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_answers_a_head_request_as_a_monitor_sends_it(client):
    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""
