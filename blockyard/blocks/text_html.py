"""Markdown and HTML blocks: render Markdown, turn a page into Markdown or its main text.

Markdown is rendered by ``markdown-it-py`` (CommonMark, plus tables and strikethrough).
Raw HTML inside the Markdown is escaped unless the builder allows it, and links with
``javascript:`` and similar schemes are never made clickable, so rendered text is safe to
show. Parsing HTML is pure Python work on possibly large pages, so it runs in a worker
thread (``ctx.run_blocking``) and the input size is capped.
"""

import functools

from markdown_it import MarkdownIt

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.html_doc import document_title, main_content, parse_html
from blockyard.blocks.html_render import to_markdown, to_text

MAX_HTML_CHARS = 10_000_000
"""Pages larger than this (10 million characters) are refused rather than parsed."""


@functools.cache
def _markdown_renderer(allow_html: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"])


def _too_large(text: str, what: str) -> str | None:
    if len(text) <= MAX_HTML_CHARS:
        return None
    return (
        f"The {what} is {len(text):,} characters long; the limit is {MAX_HTML_CHARS:,}. "
        "Split it or fetch a smaller page."
    )


class MarkdownToHtmlBlock(Block):
    id = "af0ff151-25c7-466c-8140-5f94776711b6"
    description = (
        "Turns Markdown (headings, lists, links, code, tables) into HTML, e.g. for an "
        "e-mail or a web page. Raw HTML in the text is escaped unless you allow it."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        markdown: str = SchemaField(
            description="The Markdown text.", placeholder="# Title\n\nSome **bold** text."
        )
        allow_html: bool = SchemaField(
            default=False,
            description="Pass HTML written inside the Markdown through as HTML (only for "
            "text you trust: it can carry scripts).",
        )

    class Output(BlockSchemaOutput):
        html: str = SchemaField(description="The HTML.")

    test_input = [
        {"markdown": "# Title\n\nSome **bold** text and a [link](https://example.com)."},
        {"markdown": "<b>hi</b>"},
        {"markdown": "<b>hi</b>", "allow_html": True},
    ]
    test_output = [
        (
            "html",
            "<h1>Title</h1>\n<p>Some <strong>bold</strong> text and a "
            '<a href="https://example.com">link</a>.</p>\n',
        ),
        ("html", "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"),
        ("html", "<p><b>hi</b></p>\n"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        problem = _too_large(input_data.markdown, "Markdown text")
        if problem:
            yield "error", problem
            return
        renderer = _markdown_renderer(input_data.allow_html)
        yield "html", await ctx.run_blocking(renderer.render, input_data.markdown)


class HtmlToMarkdownBlock(Block):
    id = "9d4258a0-8dce-4353-9138-e99b880fc003"
    description = (
        "Turns HTML into Markdown: headings, emphasis, links, images, lists, code and "
        "tables are kept; scripts and styles are dropped. Handy before giving a page to an AI."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        html: str = SchemaField(
            description="The HTML to convert.", placeholder="<h1>Title</h1><p>Text</p>"
        )
        base_url: str = SchemaField(
            default="",
            description="The page's address, to turn relative links into full ones.",
            placeholder="https://example.com/blog/",
        )
        include_images: bool = SchemaField(default=True, description="Keep images as ![alt](url).")
        main_content_only: bool = SchemaField(
            default=False,
            description="Keep only the page's main content (no menus, headers, footers).",
        )

    class Output(BlockSchemaOutput):
        markdown: str = SchemaField(description="The Markdown text.")

    test_input = [
        {"html": "<h2>News</h2><p>Read <a href='/post'>this</a>, <em>now</em>.</p>"},
        {
            "html": "<ul><li>one<li>two</ul><img src='a.png' alt='A'>",
            "base_url": "https://example.com/",
        },
    ]
    test_output = [
        ("markdown", "## News\n\nRead [this](/post), *now*."),
        ("markdown", "- one\n- two\n\n![A](https://example.com/a.png)"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        problem = _too_large(input_data.html, "HTML")
        if problem:
            yield "error", problem
            return

        def convert() -> str:
            root = parse_html(input_data.html)
            element = main_content(root) if input_data.main_content_only else root
            return to_markdown(
                element, base_url=input_data.base_url, images=input_data.include_images
            )

        yield "markdown", await ctx.run_blocking(convert)


class ExtractTextFromHtmlBlock(Block):
    id = "8e1d79bb-550f-4150-bdc6-dc9b5859abf6"
    description = (
        "Pulls the readable text out of a web page, as a reader mode does: the article "
        "without menus, ads, headers or footers, plus the page title."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        html: str = SchemaField(description="The page's HTML.")
        main_content_only: bool = SchemaField(
            default=True,
            description="Keep only the main content; off keeps all visible text of the page.",
        )
        as_markdown: bool = SchemaField(
            default=False, description="Give the text as Markdown (links, lists, headings)."
        )

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The page's text, in paragraphs.")
        title: str = SchemaField(description="The page's title (empty when it has none).")

    test_input = [
        {
            "html": "<html><head><title>Otters</title></head><body>"
            "<nav><a href='/'>Home</a></nav><article><h1>Otters</h1>"
            "<p>Otters are semi-aquatic mammals, playful, and they hold hands asleep.</p>"
            "</article><footer>(c) Zoo</footer></body></html>"
        },
    ]
    test_output = [
        (
            "text",
            "Otters\n\nOtters are semi-aquatic mammals, playful, and they hold hands asleep.",
        ),
        ("title", "Otters"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        problem = _too_large(input_data.html, "HTML")
        if problem:
            yield "error", problem
            return

        def extract() -> tuple[str, str]:
            root = parse_html(input_data.html)
            title = document_title(root)
            element = main_content(root) if input_data.main_content_only else root
            body = to_markdown(element) if input_data.as_markdown else to_text(element)
            return body, title

        text, title = await ctx.run_blocking(extract)
        yield "text", text
        yield "title", title
