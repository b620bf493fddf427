"""Imports pages (upload with live progress, history, detail with row errors, re-run) and the Marketing
Stream receiver endpoints."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.http import JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.exceptions import PermissionRefused
from ingest import selectors
from ingest import services
from ingest import stream
from ingest.forms import ImportFilterForm
from ingest.forms import ImportUploadForm
from ingest.forms import StreamSubscriptionForm
from ingest.models import ReportImport
from ingest.models import StreamDelivery
from ingest.models import StreamSubscription
from ingest.parsers import registry
from ingest.storage import max_upload_bytes

# Multipart framing around a file: a request this much larger than the file limit is refused unread.
MULTIPART_OVERHEAD = 64 * 1024
# Firehose's HTTP endpoint buffer is at most 64 MiB; anything bigger is not a Firehose delivery.
STREAM_MAX_BODY_BYTES = 64 * 1024 * 1024 + MULTIPART_OVERHEAD
ERRORS_PER_PAGE = 100


def _brand(request: HttpRequest) -> Any:
    return getattr(request, "brand", None)


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    filters = ImportFilterForm(request.GET or None)
    imports = selectors.report_import_list(user=request.user, brand=_brand(request), **filters.filters())
    page = Paginator(imports, 25).get_page(request.GET.get("page"))
    upload_form = ImportUploadForm(user=request.user, current_brand=_brand(request))
    return render(
        request,
        "ingest/import_list.html",
        {
            "page": page,
            "filters": filters,
            "is_filtered": filters.is_filtered,
            "statuses": ReportImport.Status.choices,
            "report_types": selectors.report_type_choices(user=request.user, brand=_brand(request)),
            "upload_form": upload_form,
            "max_upload_bytes": max_upload_bytes(),
            "formats": [spec.name for spec in registry.formats()],
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@csrf_exempt  # only so the size check below runs before CsrfViewMiddleware parses the body
@login_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    """One or more files from the drop zone (one per request from imports.js, several without JavaScript).

    A request larger than the upload limit is refused from its Content-Length before the body is read:
    the CSRF check would read it (it looks for the token in the form first), so it runs after, in
    `_import_upload`. Refusing has no side effect, so it needs no token.
    """
    wants_partial = _wants_partial(request)
    if _content_length(request) > max_upload_bytes() + MULTIPART_OVERHEAD:
        message = (
            f"The upload is larger than the {max_upload_bytes() // (1024 * 1024):,} MB limit "
            "(COOPDESK_MAX_UPLOAD_BYTES); it was refused before being read."
        )
        return _upload_refused(request, message, wants_partial, status=413)
    return _import_upload(request)


def _wants_partial(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.headers.get("X-Requested-With") == "fetch"


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    wants_partial = _wants_partial(request)
    form = ImportUploadForm(request.POST, user=request.user, current_brand=_brand(request))
    files = request.FILES.getlist("file")
    if not files:
        return _upload_refused(request, "Choose at least one file to import.", wants_partial)
    if not form.is_valid():
        return _upload_refused(
            request, " ".join(str(e) for e in form.non_field_errors()) or "Check the form.", wants_partial
        )
    created: list[ReportImport] = []
    refused: list[str] = []
    for uploaded in files:
        try:
            created.append(
                services.report_import_create(
                    brand=form.cleaned_data["brand"],
                    uploaded_file=uploaded,
                    vendor_code=form.cleaned_data.get("vendor_code"),
                    options=form.import_options() or None,
                    user=request.user,
                )
            )
        except PermissionRefused as exc:
            return _upload_refused(request, exc.message, wants_partial, status=403)
        except ApplicationError as exc:
            refused.append(exc.message)
    if wants_partial:
        status = 201 if created else 400
        return render(
            request,
            "ingest/partials/upload_result.html",
            {"imports": created, "refused": refused},
            status=status,
        )
    for report_import in created:
        messages.success(request, f"{report_import.original_name}: import #{report_import.pk} queued.")
    for message in refused:
        messages.error(request, message)
    return HttpResponseRedirect(reverse("import-list"))


def _upload_refused(request: HttpRequest, message: str, wants_partial: bool, status: int = 400) -> HttpResponse:
    if wants_partial:
        return render(
            request, "ingest/partials/upload_result.html", {"imports": [], "refused": [message]}, status=status
        )
    messages.error(request, message)
    return HttpResponseRedirect(reverse("import-list"))


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polling partial: keeps polling (hx-trigger every 1s) until the import is finished."""
    report_import = selectors.report_import_get(user=request.user, pk=pk)
    on_detail = request.GET.get("detail") == "1"
    response = render(request, "ingest/partials/import_progress.html", {"imp": report_import, "on_detail": on_detail})
    if on_detail and report_import.is_finished:
        response["HX-Refresh"] = "true"  # the detail page's counts and errors come from the full page
    return response


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report_import = selectors.report_import_get(user=request.user, pk=pk)
    errors_page = Paginator(report_import.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    reruns = report_import.reruns.order_by("-created_at")[:10]
    return render(
        request,
        "ingest/import_detail.html",
        {
            "imp": report_import,
            "errors_page": errors_page,
            "reruns": reruns,
            "can_rerun": services.can_rerun(user=request.user, report_import=report_import),
        },
    )


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    report_import = selectors.report_import_get(user=request.user, pk=pk)
    response = HttpResponse(selectors.report_import_errors_csv(report_import), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{report_import.pk}-errors.csv"'
    return response


@login_required
@require_GET
def import_raw_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file exactly as it was uploaded (kept for reprocessing and audits)."""
    report_import = selectors.report_import_get(user=request.user, pk=pk)
    try:
        handle = report_import.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The raw file is no longer in storage.") from exc
    return FileResponse(handle, as_attachment=True, filename=report_import.original_name)


@login_required
@require_POST
def import_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    report_import = selectors.report_import_get(user=request.user, pk=pk)
    try:
        rerun = services.report_import_rerun(report_import=report_import, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("import-detail", args=[report_import.pk]))
    messages.success(request, f"Re-running {report_import.original_name} as import #{rerun.pk}.")
    return HttpResponseRedirect(reverse("import-detail", args=[rerun.pk]))


# -- Marketing Stream ---------------------------------------------------------------------------------


@login_required
def stream_subscription_list(request: HttpRequest) -> HttpResponse:
    """Receiver endpoints per brand, their access keys (shown once) and the last message per dataset."""
    new_key: dict[str, str] | None = None
    form = StreamSubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, key = stream.stream_subscription_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            new_key = {"id": str(subscription.pk), "key": key}
            form = StreamSubscriptionForm(user=request.user)
    subscriptions = selectors.stream_subscription_list(user=request.user, brand=_brand(request))
    return render(
        request,
        "ingest/stream_list.html",
        {
            "subscriptions": subscriptions,
            "form": form,
            "new_key": new_key,
            "receiver_base": request.build_absolute_uri("/")[:-1],
        },
    )


@csrf_exempt  # Amazon Data Firehose cannot send a CSRF token; the access key authenticates it.
@require_POST
def firehose_receiver(request: HttpRequest, subscription_id: uuid.UUID) -> JsonResponse:
    """Amazon Data Firehose HTTP endpoint delivery: store the body, answer {"requestId", "timestamp"}.

    Any other status (or a body without the matching requestId) makes Firehose retry, so errors are
    answered with JSON carrying the requestId and an errorMessage.
    """
    request_id = request.headers.get("X-Amz-Firehose-Request-Id", "")
    subscription = StreamSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return _firehose_answer(request_id, 404, "Unknown subscription.")
    if not stream.access_key_matches(subscription, request.headers.get("X-Amz-Firehose-Access-Key")):
        return _firehose_answer(request_id, 401, "The access key does not match this subscription.")
    if subscription.status == StreamSubscription.Status.ARCHIVED:
        return _firehose_answer(request_id, 403, "This subscription is archived.")
    if not request_id:
        return _firehose_answer(request_id, 400, "X-Amz-Firehose-Request-Id header missing.")
    if _content_length(request) > STREAM_MAX_BODY_BYTES:
        return _firehose_answer(request_id, 413, "Delivery larger than 64 MiB.")
    body = request.read(STREAM_MAX_BODY_BYTES + 1)
    if len(body) > STREAM_MAX_BODY_BYTES:
        return _firehose_answer(request_id, 413, "Delivery larger than 64 MiB.")
    stream.stream_delivery_receive(
        subscription=subscription,
        kind=StreamDelivery.Kind.FIREHOSE,
        request_id=request_id[:128],
        body=body,
        content_encoding=request.headers.get("Content-Encoding", ""),
    )
    return _firehose_answer(request_id, 200)


def _firehose_answer(request_id: str, status: int, error: str = "") -> JsonResponse:
    payload: dict[str, Any] = {"requestId": request_id, "timestamp": int(time.time() * 1000)}
    if error:
        payload["errorMessage"] = error
    return JsonResponse(payload, status=status)


@csrf_exempt  # posted by the customer's SQS relay, authenticated by the subscription's access key
@require_POST
def sns_receiver(request: HttpRequest, subscription_id: uuid.UUID) -> JsonResponse:
    """SNS envelopes (Notification, SubscriptionConfirmation) relayed from the AMS SQS queue.

    The relay sends the subscription's key in X-Coopdesk-Access-Key (or X-Amz-Firehose-Access-Key).
    Idempotent on the envelope's MessageId.
    """
    subscription = StreamSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return JsonResponse({"errorMessage": "Unknown subscription."}, status=404)
    presented = request.headers.get("X-Coopdesk-Access-Key") or request.headers.get("X-Amz-Firehose-Access-Key")
    if not stream.access_key_matches(subscription, presented):
        return JsonResponse({"errorMessage": "The access key does not match this subscription."}, status=401)
    if subscription.status == StreamSubscription.Status.ARCHIVED:
        return JsonResponse({"errorMessage": "This subscription is archived."}, status=403)
    if _content_length(request) > STREAM_MAX_BODY_BYTES:
        return JsonResponse({"errorMessage": "Envelope too large."}, status=413)
    body = request.read(STREAM_MAX_BODY_BYTES + 1)
    try:
        envelope = json.loads(body)
        message_id = str(envelope["MessageId"]) if isinstance(envelope, dict) else ""
    except (ValueError, KeyError):
        message_id = ""
    if not message_id:
        return JsonResponse({"errorMessage": "Expected an SNS envelope (JSON with a MessageId)."}, status=400)
    delivery, created = stream.stream_delivery_receive(
        subscription=subscription, kind=StreamDelivery.Kind.SNS, request_id=message_id[:128], body=body
    )
    return JsonResponse({"messageId": message_id, "stored": created, "delivery": delivery.pk})


def receiver_url(subscription: StreamSubscription) -> str:
    name = "stream-firehose" if subscription.destination == StreamSubscription.Destination.FIREHOSE else "stream-sns"
    return reverse(name, args=[subscription.pk])
