"""Reading a Bot API request's parameters the way Telegram does: query string, JSON, form or
multipart (with file uploads), JSON-decoding form values python-telegram-bot encoded."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

# Parameters that carry free text: never JSON-decoded when they arrive form-encoded.
STRING_PARAMS = frozenset(
    "text caption parse_mode callback_query_id inline_message_id url file_id description "
    "short_description name title first_name last_name phone_number vcard emoji action "
    "language_code secret_token business_connection_id message_effect_id document photo".split()
)
# Parameters that are JSON objects or arrays, decoded even when a JSON body sends them as strings.
JSON_PARAMS = frozenset(
    "reply_markup reply_parameters link_preview_options entities caption_entities media "
    "commands scope allowed_updates menu_button".split()
)
_JSON_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, as the bot uploaded it."""

    field: str
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary (without the bytes)."""
        return {"upload": self.filename, "mime_type": self.mime_type, "size": len(self.content)}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    params: dict[str, Any] = {k: decode_form_value(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ValueError("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise ValueError("the JSON request body must be an object")
        for key, value in body.items():
            if key in JSON_PARAMS and isinstance(value, str):
                value = decode_form_value(key, value)
            params[key] = value
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read())
                mime_type = part.headers.get("Content-Type")
                params[part.name] = Upload(part.name, part.filename, mime_type, content)
            else:
                params[part.name] = decode_form_value(part.name, await part.text())
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = decode_form_value(key, value)
    return params


def decode_form_value(key: str, value: str) -> Any:
    """JSON-decode a form value the way python-telegram-bot encoded it (free text stays text)."""
    if key in STRING_PARAMS and key not in JSON_PARAMS:
        return value
    if value[:1] in ("{", "[") or _JSON_SCALAR.fullmatch(value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def chat_key(value: Any) -> int | str | None:
    """A chat id as an int when it is numeric (it may arrive as a string)."""
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def int_or_none(value: Any) -> int | None:
    """`value` as an int, or None when it is not one (a missing or malformed message_id)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
