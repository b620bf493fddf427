from __future__ import annotations

from django.urls import path

from ingest import views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/upload/", views.import_upload, name="import-upload"),
    path("imports/streams/", views.stream_subscription_list, name="stream-subscription-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import-errors-csv"),
    path("imports/<int:pk>/file/", views.import_raw_file, name="import-raw-file"),
    path("imports/<int:pk>/rerun/", views.import_rerun, name="import-rerun"),
    # Marketing Stream receivers (CSRF-exempt; authenticated by the subscription's access key).
    path("stream/firehose/<uuid:subscription_id>/", views.firehose_receiver, name="stream-firehose"),
    path("stream/sns/<uuid:subscription_id>/", views.sns_receiver, name="stream-sns"),
]
