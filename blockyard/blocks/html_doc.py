"""A small HTML document tree, and the part of a web page a reader came for.

Pages from the web are rarely well formed, so :func:`parse_html` builds a forgiving tree
with Python's own ``html.parser``: unclosed paragraphs and list items close themselves,
stray end tags are ignored, and nesting deeper than :data:`MAX_DEPTH` is flattened (a
page of a million nested ``<div>`` cannot exhaust the stack of whoever walks the tree).

:func:`main_content` is readability-like: it prefers ``<article>`` or ``<main>``, and
otherwise scores each element by the paragraphs of prose it holds (long text, commas, few
links), after dropping navigation, headers, footers, scripts and elements whose class or
id says they are menus, comments, ads or share buttons. Rendering the tree as Markdown or
plain text lives in :mod:`blockyard.blocks.html_render`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_DEPTH = 200
"""Elements nested deeper than this are flattened into their deepest kept ancestor."""


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


VOID_TAGS = _names("area base br col embed hr img input link meta source track wbr")
DROPPED_TAGS = _names(
    "script style noscript template svg canvas iframe object head button select textarea input"
)
"""Never part of what a reader reads."""

BLOCK_TAGS = _names(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th "
    "thead tr ul summary body html"
)
_BOILERPLATE_TAGS = _names("nav header footer aside form menu dialog")
_UNLIKELY = re.compile(
    r"comment|sidebar|footer|footnote|masthead|menu|nav|share|social|sponsor|advert|"
    r"\bads?\b|banner|cookie|popup|modal|related|promo|breadcrumb|subscribe|newsletter",
    re.IGNORECASE,
)
_LIKELY = re.compile(r"article|body|content|main|post|entry|story|text|blog", re.IGNORECASE)
_CLOSES_P = BLOCK_TAGS - {"li", "dd", "dt", "td", "th", "tr", "tbody", "thead", "tfoot"}

# A start tag of the key closes an open element named in the first set, unless an
# element of the second set (its container) is closer.
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "tbody", "thead", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist"})),
}


@dataclass(slots=True, eq=False)
class Element:
    """One element: its tag, attributes and children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: "list[Element | str]" = field(default_factory=list)
    parent: "Element | None" = None

    def elements(self) -> Iterator["Element"]:
        """This element and every element below it, in document order (no recursion)."""
        stack: list[Element] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Element))

    def find(self, tag: str) -> "Element | None":
        return next((e for e in self.elements() if e.tag == tag), None)

    def text(self) -> str:
        """All the text below this element, dropped tags excluded, white space collapsed."""
        parts: list[str] = []
        stack: list[Element | str] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                parts.append(node)
            elif node.tag not in DROPPED_TAGS or node is self:
                stack.extend(reversed(node.children))
        return " ".join(" ".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack: list[Element] = [self.root]
        self.overflow = 0
        """Open elements not kept because they were nested too deep."""

    @property
    def current(self) -> Element:
        return self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        if len(self.stack) > MAX_DEPTH:
            if tag not in VOID_TAGS:
                self.overflow += 1
            return
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.overflow:
            self.overflow -= 1
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        if tag == "p":  # a lone </p> is an empty paragraph, as browsers read it
            self.current.children.append(Element("p", parent=self.current))

    def handle_data(self, data: str) -> None:
        if data:
            self.current.children.append(data)

    def _close_implied(self, tag: str) -> None:
        if tag in _CLOSES_P:  # a paragraph cannot hold a block: the block ends it
            self._pop_to(self._open_index({"p"}, frozenset({"button"})))
        rule = _IMPLIED_END.get(tag)
        if rule is not None:
            self._pop_to(self._open_index(rule[0], rule[1]))

    def _open_index(self, names: set[str] | frozenset[str], scope: frozenset[str]) -> int | None:
        """Where the innermost open element named ``names`` is, unless ``scope`` is nearer."""
        for depth in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[depth].tag
            if tag in names:
                return depth
            if tag in scope or tag in ("table", "body", "html"):
                return None
        return None

    def _pop_to(self, depth: int | None) -> None:
        if depth is not None:
            del self.stack[depth:]


def parse_html(html: str) -> Element:
    """A forgiving tree of ``html``; its root is a ``#document`` element."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def document_title(root: Element) -> str:
    """The page's ``<title>``, or else its first ``<h1>``; empty when it has neither."""
    for tag in ("title", "h1"):
        found = root.find(tag)
        if found is not None:
            text = " ".join(_raw_text(found).split())
            if text:
                return text
    return ""


def _raw_text(element: Element) -> str:
    """Text of an element even inside dropped tags (a ``<title>`` lives in ``<head>``)."""
    return "".join(c if isinstance(c, str) else _raw_text(c) for c in element.children)


def _is_boilerplate(element: Element) -> bool:
    if element.tag in DROPPED_TAGS or element.tag in _BOILERPLATE_TAGS:
        return True
    if element.attrs.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    if element.tag in ("body", "html", "article", "main"):
        return False
    marker = f"{element.attrs.get('class', '')} {element.attrs.get('id', '')}"
    return bool(_UNLIKELY.search(marker)) and not _LIKELY.search(marker)


def strip_boilerplate(root: Element) -> None:
    """Remove navigation, scripts, footers and other non-content elements, in place."""
    for element in list(root.elements()):
        element.children = [
            c for c in element.children if isinstance(c, str) or not _is_boilerplate(c)
        ]


def _link_density(element: Element, text_length: int) -> float:
    if text_length == 0:
        return 1.0
    linked = sum(len(a.text()) for a in element.elements() if a.tag == "a")
    return min(1.0, linked / text_length)


def _paragraph_scores(root: Element) -> dict[Element, float]:
    """Each paragraph-like element's prose score, credited to its parent and grandparent."""
    scores: dict[Element, float] = {}
    for element in root.elements():
        if element.tag not in ("p", "pre", "td", "blockquote", "li") or element.parent is None:
            continue
        text = element.text()
        if len(text) < 25:
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        parent = element.parent
        scores[parent] = scores.get(parent, 0.0) + score
        if parent.parent is not None:
            grand = parent.parent
            scores[grand] = scores.get(grand, 0.0) + score / 2
    return scores


def main_content(root: Element) -> Element:
    """The element holding the page's main text (boilerplate is stripped from ``root``)."""
    strip_boilerplate(root)
    for tag in ("article", "main"):
        candidates = [e for e in root.elements() if e.tag == tag and len(e.text()) >= 100]
        if len(candidates) == 1:
            return candidates[0]
    scores = _paragraph_scores(root)
    best, best_score = None, 0.0
    for element, score in scores.items():
        adjusted = score * (1 - _link_density(element, len(element.text())))
        if adjusted > best_score:
            best, best_score = element, adjusted
    if best is not None:
        return best
    return root.find("body") or root
