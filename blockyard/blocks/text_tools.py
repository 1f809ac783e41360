"""Small text tools: decode escape sequences, change letter case, trim.

Text Decoder keeps AutoGPT's id and pins, but decodes escapes without passing the text
through Latin-1 first, so ``café\\n`` stays ``café`` followed by a new line.
"""

import enum
import unicodedata
from collections.abc import Callable

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

_ESCAPE = regex.compile(
    r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|N\{[^}]*\}|.)", regex.DOTALL
)
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "a": "\a",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "\n": "",  # a backslash at the end of a line joins it with the next
}


def _unescape_one(match: regex.Match[str]) -> str:
    body = match.group(1)
    if body in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[body]
    if body[0] in "uUx" and len(body) > 1:
        code = int(body[1:], 16)
        if code > 0x10FFFF:
            raise ValueError(f"\\{body} is not a Unicode character (the highest is \\U0010ffff).")
        return chr(code)
    if body[0] in "01234567":
        return chr(int(body, 8))
    if body.startswith("N{"):
        try:
            return unicodedata.lookup(body[2:-1])
        except KeyError:
            raise ValueError(f"\\{body} names no Unicode character.") from None
    return match.group(0)  # an unknown escape such as \q is kept as written


def decode_escapes(text: str) -> str:
    """Replace escape sequences (``\\n``, ``\\t``, ``\\u00e9``, ``\\x41`` ...) by characters.

    Surrogate pairs written as two ``\\u`` escapes (as JSON writes emoji) are joined.
    """
    decoded = _ESCAPE.sub(_unescape_one, text)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in decoded):
        decoded = decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return decoded


class TextDecoderBlock(Block):
    id = "2570e8fe-8447-43ed-84c7-70d657923231"
    description = (
        'Turns escape sequences written out in a text (\\n, \\t, \\", \\u00e9 ...) into the '
        "characters they stand for, e.g. text copied from JSON or code."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(
            description="The text with escape sequences.",
            placeholder='Line one\\nLine two \\"quoted\\"',
        )

    class Output(BlockSchemaOutput):
        decoded_text: str = SchemaField(description="The text with the sequences decoded.")

    test_input = [
        {"text": 'Hello\\nWorld! \\"quoted\\" caf\\u00e9 \\ud83d\\ude00'},
        {"text": "tab\\there, backslash \\\\ and unknown \\q"},
    ]
    test_output = [
        ("decoded_text", 'Hello\nWorld! "quoted" café 😀'),
        ("decoded_text", "tab\there, backslash \\ and unknown \\q"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            yield "decoded_text", decode_escapes(input_data.text)
        except ValueError as exc:
            yield "error", f"Cannot decode the text: {exc}"


class TextCase(enum.StrEnum):
    LOWER = "lower"
    UPPER = "upper"
    TITLE = "title"
    SENTENCE = "sentence"
    CAMEL = "camelCase"
    PASCAL = "PascalCase"
    SNAKE = "snake_case"
    KEBAB = "kebab-case"
    CONSTANT = "CONSTANT_CASE"


_WORD = regex.compile(r"\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{Lo}+|\p{N}+")
_TITLE_WORD = regex.compile(r"(?<![\p{L}\p{N}'\u2019])(\p{Ll})")
_SENTENCE_START = regex.compile(r"(^\s*|[.!?]\s+)(\p{Ll})")


def _words(text: str) -> list[str]:
    """The words of ``text`` for identifiers: 'HTTPServer error-code' -> HTTP Server error code."""
    return _WORD.findall(text)


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


_CASES: dict[TextCase, Callable[[str], str]] = {
    TextCase.LOWER: str.lower,
    TextCase.UPPER: str.upper,
    TextCase.TITLE: lambda t: _TITLE_WORD.sub(lambda m: m.group(1).upper(), t),
    TextCase.SENTENCE: lambda t: _SENTENCE_START.sub(
        lambda m: m.group(1) + m.group(2).upper(), t.lower()
    ),
    TextCase.CAMEL: lambda t: "".join(
        w.lower() if i == 0 else _capitalised(w) for i, w in enumerate(_words(t))
    ),
    TextCase.PASCAL: lambda t: "".join(_capitalised(w) for w in _words(t)),
    TextCase.SNAKE: lambda t: "_".join(w.lower() for w in _words(t)),
    TextCase.KEBAB: lambda t: "-".join(w.lower() for w in _words(t)),
    TextCase.CONSTANT: lambda t: "_".join(w.upper() for w in _words(t)),
}


class TextCaseBlock(Block):
    id = "236da6e3-7f39-4fe6-bd3a-cbf83a28af69"
    description = (
        "Changes the letter case of a text: lower, UPPER, Title Case, Sentence case, or an "
        "identifier style (camelCase, PascalCase, snake_case, kebab-case, CONSTANT_CASE)."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to change.", placeholder="hello world")
        case: TextCase = SchemaField(description="The case to give it.")

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The text in the new case.")

    test_input = [
        {"text": "the otter's den", "case": "title"},
        {"text": "HELLO. how ARE you? fine", "case": "sentence"},
        {"text": "HTTPServer error-code 42", "case": "snake_case"},
        {"text": "user first name", "case": "camelCase"},
    ]
    test_output = [
        ("text", "The Otter's Den"),
        ("text", "Hello. How are you? Fine"),
        ("text", "http_server_error_code_42"),
        ("text", "userFirstName"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "text", _CASES[input_data.case](input_data.text)


class TrimSide(enum.StrEnum):
    BOTH = "both"
    START = "start"
    END = "end"


_INNER_SPACE = regex.compile(r"[^\S\n]+")
_EXTRA_LINES = regex.compile(r"\n\s*\n(\s*\n)+")


class TrimTextBlock(Block):
    id = "28efd9ea-a536-4f79-956e-33800bd17398"
    description = (
        "Removes spaces (or other characters you choose) from the start and end of a text, "
        "and optionally squeezes repeated spaces and blank lines inside it."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to trim.", placeholder="  hello  ")
        characters: str = SchemaField(
            default="",
            description="The characters to remove, e.g. '.,' or '\"'; empty means white space.",
        )
        side: TrimSide = SchemaField(default=TrimSide.BOTH, description="Which end(s) to trim.")
        collapse_whitespace: bool = SchemaField(
            default=False,
            description="Also turn runs of spaces into one space and of blank lines into one.",
        )

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The trimmed text.")

    test_input = [
        {"text": "  hello world \n"},
        {"text": '"quoted"', "characters": '"', "side": "start"},
        {"text": " a   b \n\n\n\nc ", "collapse_whitespace": True},
    ]
    test_output = [("text", "hello world"), ("text", 'quoted"'), ("text", "a b\n\nc")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        text = input_data.text
        if input_data.collapse_whitespace:
            text = _EXTRA_LINES.sub("\n\n", _INNER_SPACE.sub(" ", text))
            text = "\n".join(line.strip(" ") for line in text.split("\n"))
        chars = input_data.characters or None
        if input_data.side is TrimSide.BOTH:
            text = text.strip(chars)
        elif input_data.side is TrimSide.START:
            text = text.lstrip(chars)
        else:
            text = text.rstrip(chars)
        yield "text", text
