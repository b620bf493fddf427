"""Business-rule refusals raised by services and turned into 400 responses by the API handler."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that breaks a business rule. `extra` travels to the client as structured detail."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionRefused(ApplicationError):
    """The user is a member of the brand but their role does not allow this step (HTTP 403)."""
