"""Block Kit validation: the limits Slack enforces on a message, as pure functions.

Each problem is a Slack error code, optionally followed by a JSON path and a detail, for example
``"invalid_blocks: [blocks[3].alt_text] missing required field"``. An empty list means Slack would
accept the message. Limits follow Slack's Block Kit reference (our Slack platform notes, section 4).

Views (modals, for ``views.open`` / ``views.update``) are checked by `check_view`, which answers in
the form of Slack's ``invalid_arguments`` messages: ``"[ERROR] must be at most 24 characters
[json-pointer:/view/title/text]"``. Confirmation dialogs (``confirm`` on buttons and other interactive
elements) follow Slack's confirmation dialog object: ``title`` plain_text <= 100, ``text`` <= 300,
``confirm`` and ``deny`` plain_text <= 30, optional ``style`` primary/danger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_VIEW_TITLE = 24  # title, submit and close of a modal
MAX_CALLBACK_ID = 255
MAX_PRIVATE_METADATA = 3000
MAX_TEXT_INPUT = 3000
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


def _check_blocks(blocks: list[Any], max_blocks: int = MAX_BLOCKS) -> list[str]:
    errors: list[str] = []
    if len(blocks) > max_blocks:
        _bad(errors, "blocks", f"must contain at most {max_blocks} blocks (got {len(blocks)})")
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
    if element.get("confirm") is not None:
        check_confirm(errors, f"{path}.confirm", element["confirm"])
    if kind == "button":
        _text(errors, f"{path}.text", element.get("text"), max_len=75, plain_only=True)
        _url(errors, f"{path}.url", element.get("url"), required=False)
        _string(errors, f"{path}.value", element.get("value"), max_len=2000, required=False)
        if element.get("style") not in (None, "primary", "danger"):
            _bad(errors, f"{path}.style", "must be primary or danger")


def check_confirm(errors: list[str], path: str, confirm: Any) -> None:
    """Append the problems of a confirmation dialog object (``confirm`` of an element) to ``errors``."""
    if not isinstance(confirm, dict):
        _bad(errors, path, "must be a confirmation dialog object")
        return
    _text(errors, f"{path}.title", confirm.get("title"), max_len=100, plain_only=True)
    _text(errors, f"{path}.text", confirm.get("text"), max_len=300)
    _text(errors, f"{path}.confirm", confirm.get("confirm"), max_len=30, plain_only=True)
    _text(errors, f"{path}.deny", confirm.get("deny"), max_len=30, plain_only=True)
    if confirm.get("style") not in (None, "primary", "danger"):
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


INPUT_ELEMENT_TYPES = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input",
     "checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker", "file_input"}
    | _SELECTS | {f"multi_{s}" for s in _SELECTS}
)  # fmt: skip


def _input(errors: list[str], path: str, block: Mapping[str, Any]) -> None:
    _text(errors, f"{path}.label", block.get("label"), max_len=2000, plain_only=True)
    _text(errors, f"{path}.hint", block.get("hint"), max_len=2000, plain_only=True, required=False)
    for flag in ("optional", "dispatch_action"):
        if block.get(flag) is not None and not isinstance(block.get(flag), bool):
            _bad(errors, f"{path}.{flag}", "must be a boolean")
    element = block.get("element")
    if not isinstance(element, dict):
        _bad(errors, f"{path}.element", "missing required field")
        return
    if element.get("type") not in INPUT_ELEMENT_TYPES:
        _bad(errors, f"{path}.element.type", f"unsupported element type {element.get('type')!r} here")
        return
    if element.get("action_id") is not None:
        _string(errors, f"{path}.element.action_id", element.get("action_id"), max_len=255)
    if element.get("type") == "plain_text_input":
        _plain_text_input(errors, f"{path}.element", element)


def _length(errors: list[str], path: str, value: Any, *, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        _bad(errors, path, "must be an integer")
        return None
    if not low <= value <= MAX_TEXT_INPUT:
        _bad(errors, path, f"must be between {low} and {MAX_TEXT_INPUT} (got {value})")
        return None
    return value


def _plain_text_input(errors: list[str], path: str, element: Mapping[str, Any]) -> None:
    """A plain_text_input: multiline (bool), min/max_length (<= 3000), initial_value, placeholder."""
    if element.get("multiline") is not None and not isinstance(element.get("multiline"), bool):
        _bad(errors, f"{path}.multiline", "must be a boolean")
    low = _length(errors, f"{path}.min_length", element.get("min_length"), low=0)
    high = _length(errors, f"{path}.max_length", element.get("max_length"), low=1)
    if low is not None and high is not None and low > high:
        _bad(errors, f"{path}.min_length", "must not be greater than max_length")
    initial = element.get("initial_value")
    if initial is not None:
        if not isinstance(initial, str):
            _bad(errors, f"{path}.initial_value", "must be a string")
        elif len(initial) > (high or MAX_TEXT_INPUT):
            _bad(errors, f"{path}.initial_value", f"must be at most {high or MAX_TEXT_INPUT} characters")
    _text(
        errors,
        f"{path}.placeholder",
        element.get("placeholder"),
        max_len=150,
        plain_only=True,
        required=False,
    )


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


def _pointer(problem: str) -> str:
    """A problem (``"invalid_blocks: [blocks[3].text] detail"``) in Slack's views form
    (``"[ERROR] detail [json-pointer:/view/blocks/3/text]"``)."""
    _, _, rest = problem.partition(": ")
    path, _, detail = rest.partition("] ")
    pointer = path.lstrip("[").replace("[", ".").replace("]", "").replace(".", "/")
    return f"[ERROR] {detail} [json-pointer:/view/{pointer}]"


def check_view(view: Any, kind: str = "modal") -> list[str]:
    """The ``response_metadata.messages`` Slack's ``views.open`` / ``views.update`` would answer with
    ``invalid_arguments`` for ``view``; empty when Slack would open it.

    A modal needs ``type: modal``, a ``title`` (plain_text <= 24), ``blocks`` (<= 100, each valid as
    in messages, input blocks with a ``label`` and an ``element``), a ``submit`` (plain_text <= 24)
    when it has input blocks, an optional ``close`` (plain_text <= 24), ``callback_id`` and
    ``external_id`` <= 255 and ``private_metadata`` <= 3000 characters.  With ``kind="home"`` (App
    Home, ``views.publish``) the type must be ``home`` and there is no title, submit or close.
    """
    if not isinstance(view, dict):
        return ["[ERROR] must be an object [json-pointer:/view]"]
    problems: list[str] = []
    if view.get("type") != kind:
        _bad(problems, "type", f"must be {kind!r} (got {view.get('type')!r})")
    blocks = view.get("blocks")
    if kind == "modal":
        _text(problems, "title", view.get("title"), max_len=MAX_VIEW_TITLE, plain_only=True)
        _text(problems, "close", view.get("close"), max_len=MAX_VIEW_TITLE, plain_only=True, required=False)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        _text(
            problems,
            "submit",
            view.get("submit"),
            max_len=MAX_VIEW_TITLE,
            plain_only=True,
            required=has_input,
        )
    for name, limit in (
        ("callback_id", MAX_CALLBACK_ID),
        ("external_id", 255),
        ("private_metadata", MAX_PRIVATE_METADATA),
    ):
        value = view.get(name)
        if value is not None and value != "":
            _string(problems, name, value, max_len=limit)
    for flag in ("clear_on_close", "notify_on_close"):
        if view.get(flag) is not None and not isinstance(view.get(flag), bool):
            _bad(problems, flag, "must be a boolean")
    if not isinstance(blocks, list):
        _bad(problems, "blocks", "missing required field" if blocks is None else "must be an array of blocks")
    else:
        problems.extend(_check_blocks(blocks, MAX_VIEW_BLOCKS))
    return [_pointer(p) for p in problems]
