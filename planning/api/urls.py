from __future__ import annotations

from django.urls import URLPattern
from django.urls import URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
