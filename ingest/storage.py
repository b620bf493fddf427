"""Keeping the raw file of every import: size checked first, sha256 computed while it is copied."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from core.exceptions import ApplicationError

COPY_BLOCK = 1024 * 1024


class UploadTooLarge(ApplicationError):
    """The file is over settings.COOPDESK_MAX_UPLOAD_BYTES; refused before a byte of it is read."""


@dataclass(frozen=True)
class StoredFile:
    name: str  # storage name, relative to MEDIA_ROOT
    original_name: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(settings.COOPDESK_MAX_UPLOAD_BYTES)


def check_size(size: int, original_name: str) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise UploadTooLarge(
            f"{original_name} is {_human(size)}; the largest file Coopdesk accepts is {_human(limit)} "
            "(COOPDESK_MAX_UPLOAD_BYTES).",
            extra={"file": original_name, "size": size, "limit": limit},
        )
    if size == 0:
        raise ApplicationError(f"{original_name} is empty: there is nothing to import.", extra={"file": original_name})


class _HashingReader:
    """A read-only file wrapper that hashes what passes through it and stops at the size limit.

    The limit is enforced again while copying because a stream's announced size can lie (chunked uploads).
    """

    def __init__(self, stream: BinaryIO, original_name: str) -> None:
        self._stream = stream
        self._name = original_name
        self._limit = max_upload_bytes()
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(COPY_BLOCK if n is None or n < 0 else n)
        self.size += len(data)
        if self.size > self._limit:
            check_size(self.size, self._name)
        self.digest.update(data)
        return data


def store_upload(uploaded: UploadedFile, upload_to: str) -> StoredFile:
    """Save an uploaded file under `upload_to` (a storage name), refusing it by its size before reading it."""
    original_name = Path(uploaded.name or "upload").name
    check_size(int(uploaded.size or 0), original_name)
    return _store(uploaded.file, original_name, upload_to)  # type: ignore[arg-type]


def store_path(path: Path, upload_to: str) -> StoredFile:
    """Copy a local file (CLI, demo seeder) into storage; its size is checked with stat() before opening it."""
    check_size(path.stat().st_size, path.name)
    with path.open("rb") as handle:
        return _store(handle, path.name, upload_to)


def _store(stream: BinaryIO, original_name: str, upload_to: str) -> StoredFile:
    if hasattr(stream, "seek"):
        stream.seek(0)
    reader = _HashingReader(stream, original_name)
    target = default_storage.get_available_name(upload_to)
    try:
        name = default_storage.save(target, File(reader, name=original_name))  # type: ignore[arg-type]
    except ApplicationError:
        default_storage.delete(target)  # a stream longer than it announced: drop the partial copy
        raise
    if reader.size == 0:
        default_storage.delete(name)
        check_size(0, original_name)
    return StoredFile(name=name, original_name=original_name, size=reader.size, sha256=reader.digest.hexdigest())


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
