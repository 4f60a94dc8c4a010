"""Block Kit validation: the limits Slack enforces on a message, as pure functions.

Each problem is a Slack error code, optionally followed by a JSON path and a detail, for example
``"invalid_blocks: [blocks[3].alt_text] missing required field"``. An empty list means Slack would
accept the message. Limits follow Slack's Block Kit reference (our Slack platform notes, section 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
MAX_MESSAGE_TEXT = 40000
_SELECTS = {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
_INTERACTIVE = {
    "button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons", "timepicker",
    "workflow_button", "rich_text_input",
} | _SELECTS | {f"multi_{s}" for s in _SELECTS}  # fmt: skip
ACCESSORY_TYPES = frozenset((_INTERACTIVE - {"datetimepicker", "rich_text_input"}) | {"image"})
ACTIONS_ELEMENT_TYPES = frozenset(_INTERACTIVE)
_TEXT_TYPES = ("plain_text", "mrkdwn")


@dataclass(frozen=True)
class Validation:
    """The outcome of checking one message: errors make Slack reject it, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when Slack would accept the message."""
        return not self.errors


def error_code(problem: str) -> str:
    """The Slack error code of one problem string (`"invalid_blocks: [...] ..."` -> `"invalid_blocks"`)."""
    return problem.split(":", 1)[0]


def validate_message(payload: Mapping[str, Any]) -> list[str]:
    """The errors Slack would report for a message body (text, blocks, ...); empty when valid."""
    return check_message(payload).errors


def check_message(payload: Mapping[str, Any]) -> Validation:
    """Errors and warnings for a message body as sent to chat.* methods, acks or response URLs.

    ``blocks`` must already be decoded from JSON when the body was form-encoded; a string there is
    reported as `invalid_blocks_format`. A body with ``delete_original`` needs no content.
    """
    errors: list[str] = []
    warnings: list[str] = []
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        errors.append("invalid_arguments: [text] must be a string")
    elif isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        errors.append(f"msg_too_long: [text] must be at most {MAX_MESSAGE_TEXT} characters")
    blocks = payload.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        errors.append("invalid_blocks_format: [blocks] must be an array of blocks")
        blocks = None
    if blocks:
        errors.extend(_check_blocks(blocks))
    has_content = bool(text) or bool(blocks) or bool(payload.get("attachments"))
    if not has_content and not _truthy(payload.get("delete_original")):
        errors.append("no_text: a message needs text or blocks")
    if blocks and not text:
        warnings.append("missing_text_fallback: blocks without a top-level text for notifications")
    return Validation(errors=errors, warnings=warnings)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _bad(errors: list[str], path: str, detail: str) -> None:
    errors.append(f"invalid_blocks: [{path}] {detail}")


def _check_blocks(blocks: list[Any]) -> list[str]:
    errors: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        _bad(errors, "blocks", f"must contain at most {MAX_BLOCKS} blocks (got {len(blocks)})")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"blocks[{i}]"
        if not isinstance(block, dict):
            _bad(errors, path, "must be an object")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if _string(errors, f"{path}.block_id", block_id, max_len=255) and block_id in seen_ids:
                _bad(errors, f"{path}.block_id", f"duplicate block_id {block_id!r}")
            seen_ids.add(str(block_id))
        kind = block.get("type")
        checker = _BLOCK_CHECKERS.get(kind) if isinstance(kind, str) else None
        if checker is None:
            _bad(errors, f"{path}.type", f"unknown block type {kind!r}")
        else:
            checker(errors, path, block)
    return errors


def _string(errors: list[str], path: str, value: Any, *, max_len: int, required: bool = True) -> bool:
    """Check a plain string field; True when it is a usable string."""
    if value is None:
        if required:
            _bad(errors, path, "missing required field")
        return False
    if not isinstance(value, str):
        _bad(errors, path, "must be a string")
        return False
    if not value:
        _bad(errors, path, "must be more than 0 characters")
        return False
    if len(value) > max_len:
        _bad(errors, path, f"must be at most {max_len} characters (got {len(value)})")
        return False
    return True


def _url(errors: list[str], path: str, value: Any, *, required: bool = True) -> None:
    if _string(errors, path, value, max_len=3000, required=required):
        scheme, _, rest = str(value).partition("://")
        if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
            _bad(errors, path, "must be an http(s) URL")


def _text(
    errors: list[str], path: str, obj: Any, *, max_len: int, plain_only: bool = False, required: bool = True
) -> None:
    """Check a text object ({type: plain_text|mrkdwn, text})."""
    if obj is None:
        if required:
            _bad(errors, path, "missing required field")
        return
    if not isinstance(obj, dict):
        _bad(errors, path, "must be a text object")
        return
    allowed = ("plain_text",) if plain_only else _TEXT_TYPES
    if obj.get("type") not in allowed:
        _bad(errors, f"{path}.type", f"must be {' or '.join(allowed)} (got {obj.get('type')!r})")
    _string(errors, f"{path}.text", obj.get("text"), max_len=max_len)


def _image_source(errors: list[str], path: str, obj: Mapping[str, Any]) -> None:
    has_url, has_file = obj.get("image_url") is not None, obj.get("slack_file") is not None
    if has_url and has_file:
        _bad(errors, path, "must provide only one of image_url and slack_file")
    elif has_file:
        slack_file = obj["slack_file"]
        if not isinstance(slack_file, dict) or not (slack_file.get("url") or slack_file.get("id")):
            _bad(errors, f"{path}.slack_file", "must have a url or an id")
    else:
        _url(errors, f"{path}.image_url", obj.get("image_url"))
    _string(errors, f"{path}.alt_text", obj.get("alt_text"), max_len=2000)


def _element(errors: list[str], path: str, element: Any, allowed: frozenset[str]) -> None:
    if not isinstance(element, dict):
        _bad(errors, path, "must be an object")
        return
    kind = element.get("type")
    if kind not in allowed:
        _bad(errors, f"{path}.type", f"unsupported element type {kind!r} here")
        return
    if kind == "image":
        _image_source(errors, path, element)
        return
    if element.get("action_id") is not None:
        _string(errors, f"{path}.action_id", element.get("action_id"), max_len=255)
    if kind == "button":
        _text(errors, f"{path}.text", element.get("text"), max_len=75, plain_only=True)
        _url(errors, f"{path}.url", element.get("url"), required=False)
        _string(errors, f"{path}.value", element.get("value"), max_len=2000, required=False)
        if element.get("style") not in (None, "primary", "danger"):
            _bad(errors, f"{path}.style", "must be primary or danger")


def _elements(errors: list[str], path: str, block: Mapping[str, Any], max_items: int) -> list[Any]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        _bad(errors, f"{path}.elements", "must be a non-empty array")
        return []
    if len(elements) > max_items:
        _bad(errors, f"{path}.elements", f"must contain at most {max_items} items (got {len(elements)})")
    return elements


def _section(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    fields = block.get("fields")
    if block.get("text") is None and fields is None:
        _bad(errors, path, "must provide text or fields")
    _text(errors, f"{path}.text", block.get("text"), max_len=3000, required=False)
    if fields is not None:
        if not isinstance(fields, list) or not fields:
            _bad(errors, f"{path}.fields", "must be a non-empty array")
        else:
            if len(fields) > 10:
                _bad(errors, f"{path}.fields", f"must contain at most 10 items (got {len(fields)})")
            for j, item in enumerate(fields):
                _text(errors, f"{path}.fields[{j}]", item, max_len=2000)
    if block.get("accessory") is not None:
        _element(errors, f"{path}.accessory", block["accessory"], ACCESSORY_TYPES)


def _image(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _image_source(errors, path, block)
    _text(errors, f"{path}.title", block.get("title"), max_len=2000, plain_only=True, required=False)


def _context(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    for j, element in enumerate(_elements(errors, path, block, 10)):
        if isinstance(element, dict) and element.get("type") == "image":
            _image_source(errors, f"{path}.elements[{j}]", element)
        else:
            _text(errors, f"{path}.elements[{j}]", element, max_len=3000)


def _actions(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    action_ids: set[str] = set()
    for j, element in enumerate(_elements(errors, path, block, 25)):
        _element(errors, f"{path}.elements[{j}]", element, ACTIONS_ELEMENT_TYPES)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str):
            if action_id in action_ids:
                _bad(errors, f"{path}.elements[{j}].action_id", f"duplicate action_id {action_id!r} in block")
            action_ids.add(action_id)


def _header(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _text(errors, f"{path}.text", block.get("text"), max_len=150, plain_only=True)


def _input(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _text(errors, f"{path}.label", block.get("label"), max_len=2000, plain_only=True)
    if not isinstance(block.get("element"), dict):
        _bad(errors, f"{path}.element", "missing required field")


def _rich_text(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    if not isinstance(block.get("elements"), list):
        _bad(errors, f"{path}.elements", "missing required field")


def _file(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _string(errors, f"{path}.external_id", block.get("external_id"), max_len=255)
    if block.get("source") != "remote":
        _bad(errors, f"{path}.source", "must be 'remote'")


def _video(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _string(errors, f"{path}.alt_text", block.get("alt_text"), max_len=2000)
    _text(errors, f"{path}.title", block.get("title"), max_len=200, plain_only=True)
    _url(errors, f"{path}.thumbnail_url", block.get("thumbnail_url"))
    _url(errors, f"{path}.video_url", block.get("video_url"))


def _markdown(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _string(errors, f"{path}.text", block.get("text"), max_len=12000)


def _divider(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    return None


_BLOCK_CHECKERS = {
    "section": _section,
    "divider": _divider,
    "image": _image,
    "context": _context,
    "actions": _actions,
    "header": _header,
    "input": _input,
    "rich_text": _rich_text,
    "file": _file,
    "video": _video,
    "markdown": _markdown,
}
KNOWN_BLOCK_TYPES = frozenset(_BLOCK_CHECKERS)
