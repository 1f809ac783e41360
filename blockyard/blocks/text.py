"""Text blocks: templates, joining, splitting, replacing and regular expressions.

Templates are Jinja2 rendered by :mod:`blockyard.blocks.templating`: an immutable sandbox
(no attribute tricks, no mutation of the values passed in), in a worker thread, within a
time and size limit. Regular expressions run on the ``regex`` engine with a time limit in
a worker thread: a pattern that backtracks catastrophically fails with a clear error
instead of pinning a CPU forever.
"""

import itertools
import json
from typing import Any

import regex

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.templating import render_template
from blockyard.errors import BlockExecutionError

REGEX_TIMEOUT_SECONDS = 2.0
"""How long one pattern may run on one text before the block gives up."""


def as_text(value: Any) -> str:
    """Strings as they are; anything else as JSON, so a dict can be searched as text."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _compile_pattern(pattern: str, case_sensitive: bool, dot_all: bool) -> regex.Pattern[str]:
    flags = regex.VERSION0
    if not case_sensitive:
        flags |= regex.IGNORECASE
    if dot_all:
        flags |= regex.DOTALL
    try:
        return regex.compile(pattern, flags)
    except regex.error as exc:
        raise BlockExecutionError(f"Invalid regular expression {pattern!r}: {exc}") from None


async def find_matches(
    ctx: BlockContext, pattern: regex.Pattern[str], text: str, limit: int | None
) -> list[regex.Match[str]]:
    """Up to ``limit`` matches, found in a worker thread within ``REGEX_TIMEOUT_SECONDS``."""

    def work() -> list[regex.Match[str]]:
        found = pattern.finditer(text, concurrent=True, timeout=REGEX_TIMEOUT_SECONDS)
        return list(itertools.islice(found, limit))

    try:
        return await ctx.run_blocking(work)
    except TimeoutError:
        raise BlockExecutionError(
            f"The pattern {pattern.pattern!r} took longer than {REGEX_TIMEOUT_SECONDS:g} s on "
            "this text; it probably backtracks catastrophically (nested repeats such as "
            "'(a+)+'), so simplify it."
        ) from None


class FillTextTemplateBlock(Block):
    id = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
    description = (
        "Fills a Jinja2 template with named values, e.g. 'Hello {{ name }}'. Connect values "
        "to the pins values_#_<name>; loops and conditions ({% for %}, {% if %}) work too."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            default_factory=dict,
            advanced=False,
            description="Named values for the template; use each as {{ name }}.",
        )
        format: str = SchemaField(
            description="The template, in Jinja2 syntax.", placeholder="Hello {{ name }}!"
        )
        escape_html: bool = SchemaField(
            default=False,
            description="Escape HTML special characters in inserted values (for HTML output).",
        )

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The filled-in text.")

    test_input = [
        {
            "values_#_name": "Alice",
            "values_#_greeting": "Hello",
            "format": "{{greeting}}, {{ name }}!",
        },
        {"values": {"list": ["a", "b"]}, "format": "{% for x in list %}[{{ x }}]{% endfor %}"},
        {"values": {"tag": "<b>"}, "format": "{{ tag }}", "escape_html": True},
    ]
    test_output = [("output", "Hello, Alice!"), ("output", "[a][b]"), ("output", "&lt;b&gt;")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            text = await render_template(
                ctx, input_data.format, input_data.values, escape_html=input_data.escape_html
            )
        except BlockExecutionError as exc:
            yield "error", exc.message
            return
        yield "output", text


class CombineTextsBlock(Block):
    id = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"
    description = "Joins several texts into one, with an optional delimiter between them."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        input: list[str] = SchemaField(
            description="The texts to join, in order (pins input_$_0, input_$_1, ...)."
        )
        delimiter: str = SchemaField(default="", description="Put between the texts.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The joined text.")

    test_input = [
        {"input": ["Hello ", "world"]},
        {"input_$_0": "a", "input_$_1": "b", "delimiter": ", "},
    ]
    test_output = [("output", "Hello world"), ("output", "a, b")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "output", input_data.delimiter.join(input_data.input)


class TextSplitBlock(Block):
    id = "d5ea33c8-a575-477a-b42f-2fe3be5055ec"
    description = "Splits a text into a list of texts at every occurrence of a delimiter."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to split.")
        delimiter: str = SchemaField(description="Where to split, e.g. ',' or a new line.")
        strip: bool = SchemaField(default=True, description="Remove spaces around each piece.")

    class Output(BlockSchemaOutput):
        texts: list[str] = SchemaField(description="The pieces, in order.")

    test_input = [
        {"text": "a, b,c", "delimiter": ","},
        {"text": "a, b", "delimiter": ",", "strip": False},
        {"text": "", "delimiter": ","},
    ]
    test_output = [("texts", ["a", "b", "c"]), ("texts", ["a", " b"]), ("texts", [])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if not input_data.delimiter:
            yield "error", "The delimiter is empty; give the text to split at."
            return
        if not input_data.text:
            yield "texts", []
            return
        pieces = input_data.text.split(input_data.delimiter)
        yield "texts", [p.strip() for p in pieces] if input_data.strip else pieces


class TextReplaceBlock(Block):
    id = "7e7c87ab-3469-4bcc-9abe-67705091b713"
    description = "Replaces every occurrence of one text with another."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to change.")
        old: str = SchemaField(description="The text to look for.")
        new: str = SchemaField(description="What to put in its place.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The text after the replacements.")

    test_input = [{"text": "Hello, World! Hello!", "old": "Hello", "new": "Hi"}]
    test_output = [("output", "Hi, World! Hi!")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if not input_data.old:
            yield "error", "The text to replace ('old') is empty."
            return
        yield "output", input_data.text.replace(input_data.old, input_data.new)


class MatchTextPatternBlock(Block):
    id = "3060088f-6ed9-4928-9ba7-9c92823a7ccd"
    description = (
        "Checks a text against a regular expression and sends data on to 'positive' when "
        "it matches or 'negative' when it does not: a branch on a pattern."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="The text to check (other values as JSON).")
        match: str = SchemaField(description="The regular expression to look for.")
        data: Any = SchemaField(
            default=None,
            advanced=False,
            description="What to send on; when empty, the text itself is sent.",
        )
        case_sensitive: bool = SchemaField(default=True, description="Match letter case.")
        dot_all: bool = SchemaField(default=True, description="Let '.' match new lines too.")

    class Output(BlockSchemaOutput):
        positive: Any = SchemaField(description="The data, when the pattern matches.")
        negative: Any = SchemaField(description="The data, when it does not.")

    test_input = [
        {"text": "ABC", "match": "ab", "data": "X", "case_sensitive": False},
        {"text": "ABC", "match": "ab", "data": "Y"},
        {"text": {"status": "ok"}, "match": '"status": "ok"'},
    ]
    test_output = [("positive", "X"), ("negative", "Y"), ("positive", {"status": "ok"})]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        forward = input_data.data if input_data.data is not None else input_data.text
        try:
            pattern = _compile_pattern(
                input_data.match, input_data.case_sensitive, input_data.dot_all
            )
            found = await find_matches(ctx, pattern, as_text(input_data.text), limit=1)
        except BlockExecutionError as exc:
            yield "error", exc.message
            return
        yield ("positive" if found else "negative"), forward


class ExtractTextInformationBlock(Block):
    id = "3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0"
    description = (
        "Extracts the parts of a text that match a regular expression (or one group of it), "
        "the first match or all of them."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="The text to search (other values as JSON).")
        pattern: str = SchemaField(description="The regular expression to extract.")
        group: int = SchemaField(
            default=0, ge=0, description="Which group to extract; 0 is the whole match."
        )
        case_sensitive: bool = SchemaField(default=True, description="Match letter case.")
        dot_all: bool = SchemaField(default=True, description="Let '.' match new lines too.")
        find_all: bool = SchemaField(default=False, description="Extract every match.")

    class Output(BlockSchemaOutput):
        positive: str = SchemaField(description="One extracted text (one per match).")
        negative: str = SchemaField(description="The original text, when nothing matched.")
        matched_results: list[str] = SchemaField(description="Every extracted text.")
        matched_count: int = SchemaField(description="How many texts were extracted.")

    test_input = [
        {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 1},
        {"text": "Hello, World!", "pattern": "hello,", "case_sensitive": False},
        {"text": "a1 b2", "pattern": r"(\w)(\d)", "group": 2, "find_all": True},
        {"text": "nothing here", "pattern": r"\d+"},
    ]
    test_output = [
        ("positive", "World!"),
        ("matched_results", ["World!"]),
        ("matched_count", 1),
        ("positive", "Hello,"),
        ("matched_results", ["Hello,"]),
        ("matched_count", 1),
        ("positive", "1"),
        ("positive", "2"),
        ("matched_results", ["1", "2"]),
        ("matched_count", 2),
        ("negative", "nothing here"),
        ("matched_results", []),
        ("matched_count", 0),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            extracted = await self._extract(input_data, ctx)
        except BlockExecutionError as exc:
            yield "error", exc.message
            return
        for text in extracted:
            yield "positive", text
        if not extracted:
            yield "negative", input_data.text
        yield "matched_results", extracted
        yield "matched_count", len(extracted)

    async def _extract(self, input_data: Input, ctx: BlockContext) -> list[str]:
        pattern = _compile_pattern(
            input_data.pattern, input_data.case_sensitive, input_data.dot_all
        )
        if input_data.group > pattern.groups:
            raise BlockExecutionError(
                f"Group {input_data.group} does not exist: the pattern has "
                f"{pattern.groups} group(s)."
            )
        limit = None if input_data.find_all else 1
        matches = await find_matches(ctx, pattern, as_text(input_data.text), limit)
        groups = (m.group(input_data.group) for m in matches)
        return [g for g in groups if g is not None]


class WordCharacterCountBlock(Block):
    id = "ab2a782d-22cf-4587-8a70-55b59b3f9f90"
    description = "Counts the words and the characters of a text."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to count.")

    class Output(BlockSchemaOutput):
        word_count: int = SchemaField(description="Words, separated by white space.")
        character_count: int = SchemaField(description="Characters, spaces included.")

    test_input = [{"text": "Hello, big world!"}, {"text": ""}]
    test_output = [
        ("word_count", 3),
        ("character_count", 17),
        ("word_count", 0),
        ("character_count", 0),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "word_count", len(input_data.text.split())
        yield "character_count", len(input_data.text)
