"""Text decoder, case and trim blocks, and what they do with bad input."""

import pytest

from blockyard.blocks.testing import run_block
from blockyard.blocks.text_tools import (
    TextCaseBlock,
    TextDecoderBlock,
    TrimTextBlock,
    decode_escapes,
)
from blockyard.errors import BlockInputError


@pytest.mark.parametrize(
    ("written", "decoded"),
    [
        ("caf\\u00e9", "café"),
        ("café\\n", "café\n"),  # non-ASCII text is not mangled through Latin-1
        ("\\x41\\101\\0", "AA\0"),
        ("\\N{GREEK SMALL LETTER ALPHA}", "\N{GREEK SMALL LETTER ALPHA}"),
        ("\\U0001F600", "😀"),
        ("line \\\njoined", "line joined"),
        ("no escapes", "no escapes"),
    ],
)
def test_decode_escapes(written: str, decoded: str) -> None:
    assert decode_escapes(written) == decoded


async def test_decoder_reports_a_code_point_beyond_unicode() -> None:
    outputs = await run_block(TextDecoderBlock(), {"text": "\\UFFFFFFFF"})
    assert list(outputs) == ["error"]
    assert "is not a Unicode character" in outputs["error"][0]


async def test_decoder_reports_an_unknown_character_name() -> None:
    outputs = await run_block(TextDecoderBlock(), {"text": "\\N{NO SUCH THING}"})
    assert outputs == {
        "error": ["Cannot decode the text: \\N{NO SUCH THING} names no Unicode character."]
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("lower", "xml http request id"),
        ("upper", "XML HTTP REQUEST ID"),
        ("PascalCase", "XmlHttpRequestId"),
        ("kebab-case", "xml-http-request-id"),
        ("CONSTANT_CASE", "XML_HTTP_REQUEST_ID"),
        ("camelCase", "xmlHttpRequestId"),
    ],
)
async def test_identifier_cases(case: str, expected: str) -> None:
    text = "XMLHttpRequest id" if case not in ("lower", "upper") else "xml http request id"
    assert await run_block(TextCaseBlock(), {"text": text, "case": case}) == {"text": [expected]}


async def test_title_case_keeps_apostrophes_inside_words() -> None:
    outputs = await run_block(TextCaseBlock(), {"text": "don\u2019t stop", "case": "title"})
    assert outputs == {"text": ["Don\u2019t Stop"]}


async def test_unknown_case_is_rejected_by_name() -> None:
    with pytest.raises(BlockInputError, match="case"):
        await run_block(TextCaseBlock(), {"text": "x", "case": "sPoNgE"})


async def test_trim_end_only_and_custom_characters() -> None:
    outputs = await run_block(TrimTextBlock(), {"text": "..hi..", "characters": ".", "side": "end"})
    assert outputs == {"text": ["..hi"]}


async def test_trim_rejects_an_unknown_side() -> None:
    with pytest.raises(BlockInputError, match="side"):
        await run_block(TrimTextBlock(), {"text": "x", "side": "middle"})
