"""Rendering an HTML tree (:mod:`blockyard.blocks.html_doc`) as Markdown or plain text.

One walk serves both: in plain mode the handlers leave out the Markdown marks (``**``,
``[text](url)``, ``#``) but keep the layout a reader needs (paragraphs, list bullets,
table rows). Headings, paragraphs and other blocks become paragraphs separated by a blank
line; runs of white space in text collapse to one space, except inside ``<pre>``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from blockyard.blocks.html_doc import BLOCK_TAGS, DROPPED_TAGS, Element, main_content, parse_html

_WS = re.compile(r"\s+")
_MD_SPECIAL = re.compile(r"([\\`*\[\]])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "ftp:", "#", "/", "./", "../")


@dataclass(frozen=True, slots=True)
class _Style:
    plain: bool = False
    base_url: str = ""
    images: bool = True
    pre: bool = False


Handler = Callable[[Element, _Style], str]


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _children(element: Element, style: _Style) -> str:
    out: list[str] = []
    for child in element.children:
        if isinstance(child, str):
            piece = child if style.pre else _WS.sub(" ", child)
            piece = piece if style.plain or style.pre else _escape(piece)
        else:
            piece = render(child, style)
        if not piece:
            continue
        if out and not style.pre and out[-1].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        out.append(piece)
    return "".join(out)


def _block(text: str) -> str:
    text = text.strip()
    return f"\n\n{text}\n\n" if text else ""


def _paragraph(element: Element, style: _Style) -> str:
    return _block(_children(element, style))


def _heading(element: Element, style: _Style) -> str:
    text = " ".join(_children(element, style).split())
    if not text or style.plain:
        return _block(text)
    return _block("#" * int(element.tag[1]) + " " + text)


def _wrap(mark: str) -> Handler:
    def handler(element: Element, style: _Style) -> str:
        inner = _children(element, style)
        core = inner.strip()
        if not core or style.plain:
            return inner
        lead = " " if inner[:1].isspace() else ""
        tail = " " if inner[-1:].isspace() else ""
        return f"{lead}{mark}{core}{mark}{tail}"

    return handler


def _inline_code(element: Element, style: _Style) -> str:
    text = element.text() if not style.pre else _children(element, style)
    if style.plain or style.pre or not text:
        return text
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _pre(element: Element, style: _Style) -> str:
    text = _children(element, replace(style, pre=True)).strip("\n")
    if style.plain:
        return f"\n\n{text}\n\n"
    code = element.find("code")
    classes = f"{element.attrs.get('class', '')} {code.attrs.get('class', '') if code else ''}"
    language = next(
        (c.split("-", 1)[1] for c in classes.split() if c.startswith(("language-", "lang-"))),
        "",
    )
    fence = "```" if "```" not in text else "~~~~"
    return f"\n\n{fence}{language}\n{text}\n{fence}\n\n"


def _url(raw: str, style: _Style) -> str:
    url = urljoin(style.base_url, raw.strip()) if style.base_url else raw.strip()
    if not url.lower().startswith(_SAFE_SCHEMES) and ":" in url.split("/", 1)[0]:
        return ""  # javascript:, data: and other schemes that are not a place to go
    return url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


def _link(element: Element, style: _Style) -> str:
    inner = _children(element, style)
    url = _url(element.attrs.get("href", ""), style)
    if style.plain or not url or not inner.strip():
        return inner
    return f"[{inner.strip()}]({url})"


def _image(element: Element, style: _Style) -> str:
    url = _url(element.attrs.get("src", ""), style)
    if style.plain or not style.images or not url:
        return ""
    return f"![{_escape(element.attrs.get('alt', '').strip())}]({url})"


def _indent(text: str, first: str) -> str:
    pad = " " * len(first)
    lines = text.split("\n")
    return "\n".join([first + lines[0], *[pad + line if line else "" for line in lines[1:]]])


def _list(element: Element, style: _Style) -> str:
    start = element.attrs.get("start", "1")
    number = int(start) if start.isdigit() else 1
    items: list[str] = []
    for child in element.children:
        if not isinstance(child, Element) or child.tag != "li":
            continue
        text = _BLANK_LINES.sub("\n", _children(child, style).strip())
        marker = f"{number}. " if element.tag == "ol" else "- "
        items.append(_indent(text, marker))
        number += 1
    return _block("\n".join(items))


def _quote(element: Element, style: _Style) -> str:
    text = _BLANK_LINES.sub("\n\n", _children(element, style).strip())
    if style.plain:
        return _block(text)
    return _block("\n".join(f"> {line}".rstrip() for line in text.split("\n")))


def _cell(element: Element, style: _Style) -> str:
    text = " ".join(_children(element, style).split())
    return text if style.plain else text.replace("|", "\\|")


def _rows(table: Element) -> list[Element]:
    """The table's own rows (also inside ``<tbody>`` and the like), in order; rows of a
    table nested in a cell belong to that table, which renders them once itself (walking
    into it would render each nested level again for every level above: 2^n work)."""
    rows: list[Element] = []
    stack = [c for c in reversed(table.children) if isinstance(c, Element)]
    while stack:
        node = stack.pop()
        if node.tag == "tr":
            rows.append(node)
        elif node.tag != "table":
            stack.extend(c for c in reversed(node.children) if isinstance(c, Element))
    return rows


def _table(element: Element, style: _Style) -> str:
    rows = [
        [_cell(c, style) for c in row.children if isinstance(c, Element) and c.tag in ("td", "th")]
        for row in _rows(element)
    ]
    rows = [row for row in rows if row]
    if not rows:
        return ""
    if style.plain:
        return _block("\n".join(" | ".join(row) for row in rows))
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    lines = [f"| {' | '.join(padded[0])} |", "|" + " --- |" * width]
    lines += [f"| {' | '.join(row)} |" for row in padded[1:]]
    return _block("\n".join(lines))


def _line_break(element: Element, style: _Style) -> str:
    return "\n" if style.plain or style.pre else "  \n"


def _rule(element: Element, style: _Style) -> str:
    return "\n\n" if style.plain else "\n\n---\n\n"


def _nothing(element: Element, style: _Style) -> str:
    return ""


_HANDLERS: dict[str, Handler] = {
    **{f"h{n}": _heading for n in range(1, 7)},
    **{tag: _wrap("**") for tag in ("strong", "b")},
    **{tag: _wrap("*") for tag in ("em", "i")},
    **{tag: _wrap("~~") for tag in ("del", "s", "strike")},
    **{tag: _nothing for tag in DROPPED_TAGS},
    "code": _inline_code,
    "kbd": _inline_code,
    "pre": _pre,
    "a": _link,
    "img": _image,
    "ul": _list,
    "ol": _list,
    "blockquote": _quote,
    "table": _table,
    "br": _line_break,
    "hr": _rule,
}


def render(element: Element, style: _Style) -> str:
    """One element (and everything below it) as Markdown, or plain text in plain mode."""
    handler = _HANDLERS.get(element.tag)
    if handler is not None:
        return handler(element, style)
    if element.tag in BLOCK_TAGS:
        return _paragraph(element, style)
    return _children(element, style)


def _tidy(text: str) -> str:
    lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def to_markdown(element: Element, *, base_url: str = "", images: bool = True) -> str:
    """An element of a parsed page as Markdown; relative links resolved against ``base_url``."""
    return _tidy(render(element, _Style(base_url=base_url, images=images)))


def to_text(element: Element) -> str:
    """An element of a parsed page as plain text in paragraphs."""
    return _tidy(render(element, _Style(plain=True)))


def html_to_markdown(
    html: str, *, base_url: str = "", images: bool = True, main_only: bool = False
) -> str:
    """``html`` as Markdown; with ``main_only``, only the page's main content."""
    root = parse_html(html)
    return to_markdown(main_content(root) if main_only else root, base_url=base_url, images=images)


def html_to_text(html: str, *, main_only: bool = True) -> str:
    """``html`` as plain text in paragraphs; by default only the page's main content."""
    root = parse_html(html)
    return to_text(main_content(root) if main_only else root)
