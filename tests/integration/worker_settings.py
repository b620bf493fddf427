"""Settings of the real Celery worker that tests/integration starts: the test settings, with tasks really
queued on Redis, and the database and media root of the test run that started the worker."""

from __future__ import annotations

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

CELERY_TASK_ALWAYS_EAGER = False
DATABASES["default"]["NAME"] = os.environ["COOPDESK_TEST_DATABASE_NAME"]
MEDIA_ROOT = os.environ["COOPDESK_TEST_MEDIA_ROOT"]
