"""Settings are parsed strictly: a malformed variable stops start-up instead of being guessed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_requires_a_secret_key() -> None:
    result = _import_settings("config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_allowed_hosts_and_debug_come_from_the_environment() -> None:
    code = "import config.settings.local as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ALLOWED_HOSTS"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "off", "ALLOWED_HOSTS": "a.example,b.example"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['a.example', 'b.example']"


def test_debug_must_be_a_boolean() -> None:
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, got 'maybe'" in result.stderr


def test_malformed_database_url_is_refused() -> None:
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50, DATABASE_URL="nonsense://")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL must be a postgres:// or sqlite:/// URL" in result.stderr


def test_local_settings_need_nothing() -> None:
    result = _import_settings("config.settings.local")
    assert result.returncode == 0, result.stderr
