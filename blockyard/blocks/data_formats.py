"""JSON and XML: parse text into data and back, checking shapes on the way.

Untrusted text is read defensively. JSON nested more than :data:`MAX_DEPTH` levels is
refused (deeper data breaks storage and the editor, and recursion in later blocks), as are
``NaN`` and ``Infinity``, which JSON does not allow; :func:`load_json` applies that depth
limit for every block that reads JSON text. JSON Schema checks run on
``jsonschema`` with two changes: ``pattern`` and ``patternProperties`` run on the
time-limited ``regex`` engine, and no ``$ref`` is ever fetched from the network. XML is
read by ``defusedxml``, which refuses DTDs and entity tricks (billion laughs, external
entities), and is turned into the same dictionary shape AutoGPT's XML parser gives.
"""

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import regex
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from jsonschema import FormatChecker, SchemaError, ValidationError, validators
from jsonschema.protocols import Validator
from referencing.exceptions import Unresolvable

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.data_dicts import MAX_DEPTH

MAX_TEXT_CHARS = 20_000_000
"""JSON or XML texts longer than this (20 million characters) are refused."""
PATTERN_TIMEOUT_SECONDS = 1.0
"""How long one schema ``pattern`` may take on one value."""
MAX_REPORTED_PROBLEMS = 5

_CODE_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(.*?)\n\s*```\s*$", re.DOTALL)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BARE_AMPERSAND = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)


class TooDeepError(ValueError):
    """Data nested deeper than the limit: refused whole, whatever else is right with it."""


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """``TooDeepError`` when lists and dictionaries in ``value`` nest deeper than ``limit``."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list | tuple):
            continue
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            raise TooDeepError(f"The data is nested more than {limit} levels deep.")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def load_json(text: str, **options: Any) -> Any:
    """``json.loads`` for text from outside: nesting past :data:`MAX_DEPTH` raises
    :class:`TooDeepError`, never ``RecursionError`` (which the parser hits on a few
    thousand ``[``); bad syntax still raises ``json.JSONDecodeError``."""
    try:
        data = json.loads(text, **options)
    except RecursionError:
        raise TooDeepError(f"The data is nested more than {MAX_DEPTH} levels deep.") from None
    check_depth(data)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"The text is not valid JSON: {name} is not a JSON value.")


def parse_json(text: str) -> Any:
    """JSON text as data; an AI's ```json fences around it are ignored."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"The text is longer than {MAX_TEXT_CHARS:,} characters.")
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return load_json(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The text is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None


def _search(pattern: str, text: str) -> bool:
    try:
        return regex.search(pattern, text, timeout=PATTERN_TIMEOUT_SECONDS) is not None
    except regex.error as exc:
        raise ValueError(f"The schema's pattern {pattern!r} is not valid: {exc}.") from None
    except TimeoutError:
        raise ValueError(
            f"The schema's pattern {pattern!r} took too long; it probably backtracks "
            "catastrophically."
        ) from None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


@functools.cache
def _safe_validator(base: type[Validator]) -> Any:
    """``base`` with the two regular-expression keywords made time-limited."""
    keywords = {"pattern": _pattern, "patternProperties": _pattern_properties}
    return validators.extend(base, keywords)  # type: ignore[no-untyped-call]  # untyped stub


def _where(error: ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "the value"


def schema_problems(data: Any, schema: dict[str, Any]) -> list[str]:
    """What in ``data`` breaks ``schema`` (at most a few, each with where); [] when valid."""
    base = validators.validator_for(schema)
    try:
        base.check_schema(schema)
    except SchemaError as exc:
        raise ValueError(f"The schema itself is not valid: {exc.message}.") from None
    checker = _safe_validator(base)(schema, format_checker=FormatChecker())
    try:
        errors = list(checker.iter_errors(data))
    except Unresolvable as exc:
        raise ValueError(f"The schema refers to {exc.ref!r}, which is not inside it.") from None
    except RecursionError:
        raise ValueError("The schema refers to itself without end.") from None
    errors.sort(key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(e)}: {e.message}" for e in errors[:MAX_REPORTED_PROBLEMS]]


def _schema_error(data: Any, schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    problems = schema_problems(data, schema)
    if not problems:
        return None
    return "The data does not match the schema: " + "; ".join(problems) + "."


class ParseJsonBlock(Block):
    id = "8598e906-fdb7-4dd5-9f41-3d239fccdd18"
    description = (
        "Reads JSON text (e.g. an AI's answer, even inside ```json fences) into data, and "
        "optionally checks it against a JSON Schema so later blocks get what they expect."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The JSON text.", placeholder='{"name": "Ann"}')
        json_schema: dict[str, Any] | None = SchemaField(
            default=None,
            description="A JSON Schema the data must match; empty skips the check.",
            placeholder='{"type": "object", "required": ["name"]}',
        )

    class Output(BlockSchemaOutput):
        data: Any = SchemaField(description="The data read from the text.")

    test_input = [
        {"text": '{"name": "Ann", "tags": [1, 2]}'},
        {"text": '```json\n["a"]\n```', "json_schema": {"type": "array"}},
    ]
    test_output = [("data", {"name": "Ann", "tags": [1, 2]}), ("data", ["a"])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        def work() -> tuple[Any, str | None]:
            data = parse_json(input_data.text)
            return data, _schema_error(data, input_data.json_schema)

        try:
            data, problem = await ctx.run_blocking(work)
        except ValueError as exc:
            yield "error", str(exc)
            return
        if problem:
            yield "error", problem
            return
        yield "data", data


class StringifyJsonBlock(Block):
    id = "711b4850-a666-41a0-984d-69196a626f06"
    description = (
        "Writes data (a dictionary, list, number ...) as JSON text, compact or indented, "
        "optionally checking it against a JSON Schema first."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        data: Any = SchemaField(description="The data to write as JSON.")
        indent: int = SchemaField(
            default=0, ge=0, le=8, description="Spaces per level; 0 writes one compact line."
        )
        sort_keys: bool = SchemaField(default=False, description="Sort dictionary keys.")
        ascii_only: bool = SchemaField(
            default=False, description="Write non-ASCII characters as \\u escapes."
        )
        json_schema: dict[str, Any] | None = SchemaField(
            default=None, description="A JSON Schema the data must match; empty skips the check."
        )

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The JSON text.")

    test_input = [
        {"data": {"b": 1, "a": "é"}, "sort_keys": True},
        {"data": [1, {"x": None}], "indent": 2},
    ]
    test_output = [
        ("text", '{"a": "é", "b": 1}'),
        ("text", '[\n  1,\n  {\n    "x": null\n  }\n]'),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            check_depth(input_data.data)
            problem = _schema_error(input_data.data, input_data.json_schema)
            text = json.dumps(
                input_data.data,
                indent=input_data.indent or None,
                sort_keys=input_data.sort_keys,
                ensure_ascii=input_data.ascii_only,
                allow_nan=False,
            )
        except (ValueError, TypeError) as exc:
            yield "error", f"Cannot write the data as JSON: {exc}"
            return
        if problem:
            yield "error", problem
            return
        yield "text", text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children_value(children: list[Any], depth: int) -> dict[str, Any] | list[Any]:
    """Children with distinct tags merge into one dictionary; repeated tags make a list."""
    pairs = [(_local(child.tag), _element_value(child, depth + 1)) for child in children]
    tags = [tag for tag, _ in pairs]
    if len(set(tags)) == len(tags):
        return dict(pairs)
    return [{tag: value} for tag, value in pairs]


def _element_value(element: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"The XML is nested more than {MAX_DEPTH} levels deep.")
    attributes = {f"@{_local(k)}": v for k, v in element.attrib.items()}
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        if not attributes:
            return text
        return {**attributes, "#text": text} if text else attributes
    body = _children_value(children, depth)
    if not attributes:
        return body
    return {**attributes, **body} if isinstance(body, dict) else {**attributes, "#items": body}


def parse_xml(text: str) -> dict[str, Any] | list[Any]:
    """XML (several top-level elements allowed, as AIs write them) as dictionaries."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"The XML is longer than {MAX_TEXT_CHARS:,} characters.")
    if _DTD.search(text):
        raise ValueError(
            "The XML declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), which are not allowed: "
            "they can expand into huge documents or read files."
        )
    body = _escape_bare_ampersands(_XML_DECLARATION.sub("", text, count=1))
    try:
        root = fromstring(f"<blockyard-root>{body}</blockyard-root>")
    except DefusedXmlException as exc:
        raise ValueError(f"The XML uses a forbidden feature (DTD or entities): {exc}.") from None
    except ParseError as exc:
        reason = str(exc).split(":", 1)[0]
        raise ValueError(
            f"The XML is not well formed: {reason} (line {exc.position[0]})."
        ) from None
    return _children_value(list(root), 0) if len(root) else {}


def _escape_bare_ampersands(text: str) -> str:
    """AIs write 'Tom & Jerry' in XML; escape such '&' (outside CDATA) instead of failing."""
    parts = _CDATA.split(text)
    return "".join(p if i % 2 else _BARE_AMPERSAND.sub("&amp;", p) for i, p in enumerate(parts))


class XMLParserBlock(Block):
    id = "286380af-9529-4b55-8be0-1d7c854abdb5"
    description = (
        "Reads XML (e.g. an AI's answer written with tags) into a dictionary: each tag "
        "becomes a key; repeated tags become a list. DTDs and entity tricks are refused."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        input_xml: str = SchemaField(
            description="The XML text.", placeholder="<answer><name>Ann</name></answer>"
        )

    class Output(BlockSchemaOutput):
        parsed_xml: dict[str, Any] | list[Any] = SchemaField(
            description="The XML as a dictionary (a list when the top level repeats a tag)."
        )

    test_input = [
        {"input_xml": "<tag1><tag2>content</tag2></tag1>"},
        {"input_xml": "<r><a>1</a><a>2</a><b x='y'>Tom & Jerry</b></r>"},
        {"input_xml": "<name>Ann</name>\n<age> 3 </age>"},
    ]
    test_output = [
        ("parsed_xml", {"tag1": {"tag2": "content"}}),
        ("parsed_xml", {"r": [{"a": "1"}, {"a": "2"}, {"b": {"@x": "y", "#text": "Tom & Jerry"}}]}),
        ("parsed_xml", {"name": "Ann", "age": "3"}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            parsed = await ctx.run_blocking(parse_xml, input_data.input_xml)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "parsed_xml", parsed
