"""What the web blocks read: a page's readable part (Markdown, text) and feed entries.

Scripts, styles, navigation, forms and other page furniture are dropped; when the page
marks its main part (``<main>``, ``<article>``, ``role="main"``) only that is kept, which is
what a reader (or an LLM prompt) wants from a page. BeautifulSoup parses, markdownify
writes the Markdown.
"""

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser  # type: ignore[import-untyped]
from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from blockyard.errors import BlockInputError

NOISE_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button",
    "nav", "header", "footer", "aside", "dialog",
)  # fmt: skip
BLOCK_TAGS = (
    "p", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "pre",
    "blockquote", "table", "ul", "ol", "dl", "dt", "dd", "hr", "article", "main",
)  # fmt: skip
BLANK_LINES = re.compile(r"\n{3,}")
SPACES = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    markdown: str
    text: str


def html_to_page(html: str, main_content_only: bool = True) -> Page:
    """Title, Markdown and text of ``html``; blocking (run it in a thread).

    BeautifulSoup and markdownify walk the tree recursively, so a page whose elements sit
    a few hundred levels inside each other (a hostile page, or unclosed inline tags) would
    exhaust the stack: that is a ``BlockInputError`` saying so, not a ``RecursionError``.
    """
    try:
        return _page(html, main_content_only)
    except RecursionError:
        raise BlockInputError(
            "its elements are nested too deeply to convert (hundreds of levels); fetch it "
            "with Send Web Request and convert it with HTML to Markdown, which flattens "
            "deep nesting"
        ) from None


def _page(html: str, main_content_only: bool) -> Page:
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(NOISE_TAGS):
        tag.decompose()
    root = _main_part(soup) if main_content_only else None
    body = root or soup.body or soup
    markdown = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(body)
    return Page(title, _tidy(markdown), _plain_text(body))


def _main_part(soup: BeautifulSoup) -> Tag | None:
    for found in (soup.find("main"), soup.find(role="main"), soup.find("article")):
        if isinstance(found, Tag) and found.get_text(strip=True):
            return found
    return None


def _plain_text(body: Tag | BeautifulSoup) -> str:
    """Text with a line break around every block element and inline runs kept together."""
    for tag in body.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (SPACES.sub(" ", line).strip() for line in body.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return BLANK_LINES.sub("\n\n", "\n".join(lines))


def parse_feed(data: bytes) -> list[dict[str, Any]]:
    """Entries of an RSS/Atom document, oldest first; ``BlockInputError`` if it is none."""
    parsed = feedparser.parse(data)
    if parsed.get("bozo") and not parsed.get("entries"):
        raise BlockInputError(f"Not a readable RSS or Atom feed: {parsed.get('bozo_exception')}")
    entries = [_entry(raw) for raw in parsed.get("entries", [])]
    return sorted(entries, key=lambda e: e["pub_date"] or "")


def _entry(raw: Mapping[str, Any]) -> dict[str, Any]:
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat() if stamp else None
    link = str(raw.get("link", ""))
    return {
        "title": str(raw.get("title", "")),
        "link": link,
        "description": str(raw.get("summary", "")),
        "pub_date": published,
        "author": str(raw.get("author", "")),
        "categories": [str(t.get("term", "")) for t in raw.get("tags", []) if t.get("term")],
    }


def feed_cutoff(minutes: int, since: datetime | None) -> datetime | None:
    limits = [datetime.now(UTC) - timedelta(minutes=minutes)] if minutes else []
    if since is not None:
        limits.append(since if since.tzinfo else since.replace(tzinfo=UTC))
    return max(limits) if limits else None


def is_after(entry: dict[str, Any], cutoff: datetime | None) -> bool:
    """Dated entries after the cut-off; undated ones only when there is no cut-off."""
    if cutoff is None:
        return True
    return entry["pub_date"] is not None and datetime.fromisoformat(entry["pub_date"]) > cutoff
