"""The errors the fake answers with, worded and shaped as Telegram words and shapes them."""

from __future__ import annotations

from typing import Any

ERROR_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
"""Telegram's answer to answerCallbackQuery for an id it never sent or that was answered."""


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional `retry_after`."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def api_error(
    status: int, *, retry_after: int | None = None, description: str | None = None
) -> ApiError:
    """The error Telegram gives for `status`, with its usual description unless one is given."""
    if status == 429:
        retry_after = 1 if retry_after is None else retry_after
        description = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, description, retry_after=retry_after)
    return ApiError(status, description or ERROR_DESCRIPTIONS.get(status, f"Error {status}"))
