#!/usr/bin/env python3
"""Coopdesk's two commands, with nothing but Python on the machine.

    python3 dev.py run    create .venv, install, migrate, load demo data, start web + Celery worker
    python3 dev.py test   create .venv, install, run the test suite (pytest)

Only the standard library is used here, because this script runs before anything is installed.
`make run` and `make test` call the same script.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".coopdesk-installed"
HOST = os.environ.get("COOPDESK_HOST", "127.0.0.1")
PORT = os.environ.get("COOPDESK_PORT", "8000")


def _say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def ensure_venv() -> None:
    """Create .venv and install the project with its dev extras; reinstall only when pyproject changes."""
    if not PYTHON.exists():
        _say("Creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    _say("Installing dependencies (first run takes a few minutes)")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(digest)


def run() -> int:
    ensure_venv()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    _say("Migrating the database")
    _run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    _say("Loading demo data")
    _run(PYTHON, "manage.py", "seed_demo", env=env)
    _say("Starting the Celery worker (with embedded beat)")
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=INFO",
            "-s",
            str(ROOT / "var" / "celerybeat-schedule"),
        ],
        cwd=ROOT,
        env=env,
    )
    time.sleep(1)
    _say(f"Coopdesk is at http://{HOST}:{PORT}/  (logins above; Ctrl+C stops web and worker)")
    try:
        web = subprocess.run([str(PYTHON), "manage.py", "runserver", f"{HOST}:{PORT}"], cwd=ROOT, env=env, check=False)
        return web.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test(extra: list[str]) -> int:
    ensure_venv()
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest config picks config.settings.test
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        _say("Chromium is not installed: the browser journeys will be skipped (apt-get install chromium)")
    return subprocess.run([str(BIN / "pytest"), *extra], cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in {"run", "test", "install"}:
        print(__doc__)
        return 2
    if argv[1] == "run":
        return run()
    if argv[1] == "install":
        ensure_venv()
        return 0
    return test(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
