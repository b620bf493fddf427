"""Development settings used by `make run`: SQLite, the embedded broker, DEBUG on, a dev-only secret."""

from __future__ import annotations

import os

# A throwaway key so that `make run` works with nothing configured; production.py requires a real one.
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-change-me-not-for-production")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES

# No manifest in development: runserver serves files straight from static/.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
