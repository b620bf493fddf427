"""Celery tasks of the ingest app: thin wrappers that take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError

from ingest import services
from ingest import stream

logger = logging.getLogger(__name__)

# Only errors that a later attempt can get past: the database or its connection went away.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def report_import_run_task(import_id: int) -> None:
    """Runs an import enqueued on commit by report_import_create.

    acks_late is safe: a redelivered task finds the import claimed or finished and does nothing.
    """
    services.report_import_run(import_id)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def stream_delivery_process_task(delivery_id: int) -> None:
    """Processes a Marketing Stream delivery the receiver stored; a processed delivery is skipped."""
    stream.stream_delivery_process(delivery_id)


@shared_task(name="ingest.report_imports_requeue_stuck")
def report_imports_requeue_stuck_task() -> int:
    """On beat: imports whose task was lost or whose worker died are queued again (safe to run twice)."""
    return len(services.report_imports_requeue_stuck())
