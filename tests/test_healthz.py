from __future__ import annotations

import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_up(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["broker"]["status"] == "up"
    assert body["checks"]["broker"]["transport"] in {"redis", "filesystem"}


def test_healthz_broker_down_answers_503(client, monkeypatch) -> None:
    # A port nobody listens on: the broker is unreachable, the database still answers.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "down"
    assert "error" in body["checks"]["broker"]
    assert body["checks"]["database"]["status"] == "up"


def test_healthz_embedded_broker_folder_missing_is_down(client, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"data_folder_in": str(tmp_path / "missing")})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"
