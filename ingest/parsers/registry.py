"""Which parser takes a file: detection from content only (never the file name or a flag).

Built-in formats register themselves when their module is imported (`load_builtin_formats`); apps
above ingest register their own (coop's co-op invoice importer) in their AppConfig.ready().
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ingest.parsers.base import Detector
from ingest.parsers.base import Parser

BUILTIN_MODULES = [
    "ingest.parsers.spapi_reports",
    "ingest.parsers.vc_exports",
    "ingest.parsers.ads_reports",
    "ingest.parsers.orders",
]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    detector: Detector
    parser: Parser
    priority: int = 100  # lower runs first; specific detectors before generic ones


_FORMATS: dict[str, FormatSpec] = {}
_loaded = False


def register_format(name: str, *, detector: Detector, parser: Parser, priority: int = 100) -> None:
    _FORMATS[name] = FormatSpec(name=name, detector=detector, parser=parser, priority=priority)


def load_builtin_formats() -> None:
    global _loaded
    if _loaded:
        return
    for module in BUILTIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a real import error inside the module must surface
                raise
    _loaded = True


def formats() -> list[FormatSpec]:
    load_builtin_formats()
    return sorted(_FORMATS.values(), key=lambda spec: (spec.priority, spec.name))


def detect(head: bytes) -> FormatSpec | None:
    """The first registered format whose detector accepts the first bytes of the content."""
    for spec in formats():
        if spec.detector(head):
            return spec
    return None
