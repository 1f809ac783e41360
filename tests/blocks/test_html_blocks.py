"""Markdown and HTML blocks: safe rendering, faithful conversion, readable main text."""

import pytest

from blockyard.blocks import text_html
from blockyard.blocks.base import Block
from blockyard.blocks.html_doc import MAX_DEPTH, document_title, main_content, parse_html
from blockyard.blocks.html_render import html_to_markdown, html_to_text, to_text
from blockyard.blocks.testing import run_block
from blockyard.blocks.text_html import (
    ExtractTextFromHtmlBlock,
    HtmlToMarkdownBlock,
    MarkdownToHtmlBlock,
)

ARTICLE_PAGE = """<!doctype html><html><head><title>Otter facts</title>
<script>var tracking = "nope";</script><style>p { color: red }</style></head><body>
<header class="site-header"><a href="/">Zoo</a> <a href="/shop">Shop</a></header>
<div id="sidebar"><p>Buy tickets now, cheap, today, online, really cheap tickets.</p></div>
<div class="post-content">
<h2>Where otters live</h2>
<p>Otters live in rivers, lakes and seas, and they eat fish, crabs and shellfish.
<p>Sea otters hold hands while sleeping, so that they do not drift apart at night.
</div>
<div class="comments"><p>Great post, thanks, loved it, more please, very nice.</p></div>
<footer>(c) Zoo</footer></body></html>"""


def test_main_text_skips_navigation_sidebars_comments_and_scripts() -> None:
    text = html_to_text(ARTICLE_PAGE)
    assert text == (
        "Where otters live\n\n"
        "Otters live in rivers, lakes and seas, and they eat fish, crabs and shellfish.\n\n"
        "Sea otters hold hands while sleeping, so that they do not drift apart at night."
    )


def test_title_comes_from_the_head_or_the_first_heading() -> None:
    assert document_title(parse_html(ARTICLE_PAGE)) == "Otter facts"
    assert document_title(parse_html("<h1> Big <b>news</b> </h1>")) == "Big news"
    assert document_title(parse_html("<p>none</p>")) == ""


def test_whole_page_text_keeps_everything_visible() -> None:
    text = html_to_text(ARTICLE_PAGE, main_only=False)
    assert "Zoo Shop" in text
    assert "(c) Zoo" in text
    assert "tracking" not in text
    assert "color" not in text


def test_markdown_of_lists_code_quotes_and_tables() -> None:
    html = (
        "<ol start='3'><li>three<li>four<ul><li>nested</ul></ol>"
        "<pre><code class='language-python'>x = 1\n\nprint(x)</code></pre>"
        "<blockquote><p>one</p><p>two</p></blockquote>"
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>x|y</td></tr></table>"
    )
    assert html_to_markdown(html) == (
        "3. three\n4. four\n   - nested\n\n"
        "```python\nx = 1\n\nprint(x)\n```\n\n"
        "> one\n>\n> two\n\n"
        "| a | b |\n| --- | --- |\n| 1 | x\\|y |"
    )


def test_markdown_escapes_text_that_would_read_as_markup() -> None:
    assert html_to_markdown("<p>2 * 3 [not a link] and snake_case</p>") == (
        "2 \\* 3 \\[not a link\\] and snake_case"
    )


def test_markdown_drops_dangerous_link_schemes() -> None:
    markdown = html_to_markdown("<a href='javascript:alert(1)'>click</a> <img src='data:x'>")
    assert markdown == "click"


def test_deep_nesting_is_flattened_not_a_crash() -> None:
    depth = 50_000
    root = parse_html("<div>" * depth + "deep text" + "</div>" * depth)
    assert max(_depth_of(e) for e in root.elements()) <= MAX_DEPTH + 1
    assert to_text(root) == "deep text"


def _depth_of(element: object) -> int:
    depth = 0
    while getattr(element, "parent", None) is not None:
        element = element.parent  # type: ignore[attr-defined]
        depth += 1
    return depth


def test_article_element_wins_when_there_is_one() -> None:
    html = (
        "<div><p>menu, menu, menu</p></div><article>"
        + "<p>Story text, long.</p>" * 10
        + "</article>"
    )
    assert main_content(parse_html(html)).tag == "article"


async def test_markdown_to_html_escapes_raw_html_and_script_links() -> None:
    outputs = await run_block(
        MarkdownToHtmlBlock(), {"markdown": "<script>alert(1)</script> [x](javascript:alert(1))"}
    )
    html = outputs["html"][0]
    assert "<script>" not in html
    assert 'href="javascript' not in html


async def test_markdown_to_html_renders_tables_and_strikethrough() -> None:
    outputs = await run_block(MarkdownToHtmlBlock(), {"markdown": "|a|\n|-|\n|1|\n\n~~old~~"})
    assert "<table>" in outputs["html"][0]
    assert "<s>old</s>" in outputs["html"][0]


@pytest.mark.parametrize(
    ("block", "pin"),
    [
        (HtmlToMarkdownBlock(), "html"),
        (ExtractTextFromHtmlBlock(), "html"),
        (MarkdownToHtmlBlock(), "markdown"),
    ],
)
async def test_oversized_texts_are_refused(
    block: Block, pin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_html, "MAX_HTML_CHARS", 100)
    outputs = await run_block(block, {pin: "<p>" + "x" * 200 + "</p>"})
    assert list(outputs) == ["error"]
    assert "the limit is 100" in outputs["error"][0]


async def test_extract_text_as_markdown() -> None:
    outputs = await run_block(
        ExtractTextFromHtmlBlock(), {"html": ARTICLE_PAGE, "as_markdown": True}
    )
    assert outputs["text"][0].startswith("## Where otters live\n\nOtters live in rivers")
    assert outputs["title"] == ["Otter facts"]
