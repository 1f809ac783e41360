"""Jinja2 templates rendered in a sandbox that bounds their time and size, off the event loop.

Jinja's immutable sandbox keeps a template away from Python internals and from changing the
values it is given, but not from running for hours: ``{% for %}`` loops nest freely and a
template over a large list can take billions of steps. So a render runs in a worker thread
(the event loop stays free for every other run) under a budget. A thread cannot be killed,
so the render checks the budget itself, on every step that can repeat: each ``{% for %}``
iteration (the loop's iterable is wrapped when the template is compiled), each call
(macros, methods, recursive loops), filter, attribute or item lookup, intercepted operator
and output chunk. Once the deadline passes or the run is cancelled every check fails, so
the thread stops at its next step.

Sizes are bounded too: the output, and every value a call, filter, operator or ``~`` builds,
may hold at most ``TEMPLATE_OUTPUT_LIMIT`` characters (or items), and the arguments that
make a value huge in one step (``'x' * n``, ``2 ** n``, ``'x'.center(n)``) are refused
before the work is done. One C-level operation on values within that limit (joining a large
list with a large separator, printing a structure that shares itself many times) can still
take memory and time before the next check; the event loop is free again after
``TEMPLATE_TIMEOUT_SECONDS`` plus a grace period even then.
"""

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from typing import Any, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, modifies_known_mutable
from jinja2.utils import generate_lorem_ipsum

from blockyard.blocks.context import BlockContext
from blockyard.errors import BlockExecutionError

TEMPLATE_TIMEOUT_SECONDS = 2.0
"""How long one render may run."""

TEMPLATE_OUTPUT_LIMIT = 4_000_000
"""The most characters a render may produce (about 4 MB), and the largest value it may build."""

BACKSTOP_GRACE_SECONDS = 1.0
"""How much longer than the deadline the caller waits for a render stuck in one operation."""

_MAX_INT_BITS = 1 << 16
"""``**`` on integers may build at most this many bits (about 20,000 digits)."""

_WIDENING = frozenset({"center", "ljust", "rjust", "zfill", "indent", "batch", "slice"})
"""Methods and filters whose integer arguments set the size of what they build."""

_LIPSUM_MAX_PARAGRAPHS = 100
_LIPSUM_MAX_WORDS = 1000

_LOOP_GUARD = "blockyard_loop_guard"
_SIZE_GUARD = "blockyard_size_guard"


class TemplateLimitError(Exception):
    """A render went over its budget; the message is for the user."""


class _Budget:
    """The deadline of one render; once it fails, every later check fails the same way."""

    __slots__ = ("deadline", "failure", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.failure: str | None = None

    def start(self) -> None:
        """Count from when the worker thread starts, not from when the render was queued."""
        self.deadline = time.monotonic() + self.seconds

    def stop(self) -> None:
        """Make the render give up at its next check (the caller stopped waiting)."""
        if self.failure is None:
            self.failure = _too_slow(self.seconds)

    def check(self) -> None:
        if self.failure is None and time.monotonic() > self.deadline:
            self.stop()
        if self.failure is not None:
            raise TemplateLimitError(self.failure)

    def fail(self, message: str) -> NoReturn:
        self.failure = message
        raise TemplateLimitError(message)


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "template_budget", default=None
)


def _too_slow(seconds: float) -> str:
    return (
        f"The template took longer than {seconds:g} s to render; it probably does too much "
        "work (nested loops over large lists, deep recursion), so simplify it."
    )


def _too_large(what: str, unit: str = "") -> str:
    return f"{what} larger than {TEMPLATE_OUTPUT_LIMIT:,}{unit}, the most a template may produce."


def _check() -> None:
    budget = _BUDGET.get()
    if budget is not None:  # None only while Jinja folds constants at compile time
        budget.check()


def _refuse(message: str) -> NoReturn:
    budget = _BUDGET.get()
    if budget is None:
        raise TemplateLimitError(message)
    budget.fail(message)


def _sized(value: Any) -> Any:
    """``value`` unchanged, unless it is a text or collection over the limit."""
    if isinstance(value, str | bytes | list | tuple | dict | set) and (
        len(value) > TEMPLATE_OUTPUT_LIMIT
    ):
        _refuse(_too_large("The template builds a text or list"))
    return value


def _check_widths(name: str, args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    if name in _WIDENING:
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and arg > TEMPLATE_OUTPUT_LIMIT:
                _refuse(_too_large(f"The template asks {name}() for a size"))


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            sequence = isinstance(seq, str | bytes | list | tuple) and isinstance(times, int)
            if sequence and len(seq) * times > TEMPLATE_OUTPUT_LIMIT:
                _refuse(_too_large("The template repeats a text or list to a size"))
    powers = operator == "**" and isinstance(left, int) and isinstance(right, int)
    if powers and abs(left) > 1 and right * left.bit_length() > _MAX_INT_BITS:
        _refuse("The template raises a number to a power too large to compute.")


class _GuardedIterable:
    """A ``{% for %}`` iterable that checks the budget on every step; sized when the original is."""

    __slots__ = ("_items",)

    def __init__(self, items: Any) -> None:
        self._items = items

    def __iter__(self) -> Iterator[Any]:
        budget = _BUDGET.get()
        for item in self._items:
            if budget is not None:
                budget.check()
            yield item

    def __len__(self) -> int:
        return len(self._items)  # TypeError when unsized, which Jinja's LoopContext expects


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps Jinja's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check()
        _check_widths(name, args, kwargs)
        return _sized(func(*args, **kwargs))

    return guarded


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > _LIPSUM_MAX_PARAGRAPHS or max > _LIPSUM_MAX_WORDS:
        _refuse(
            f"lipsum() makes at most {_LIPSUM_MAX_PARAGRAPHS} paragraphs of at most "
            f"{_LIPSUM_MAX_WORDS} words."
        )
    return str(generate_lorem_ipsum(n, html, min, max))


class _GuardedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a budget check and a size check in each of its hooks."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(autoescape=autoescape, keep_trailing_newline=True)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters[_LOOP_GUARD] = _GuardedIterable
        self.filters[_SIZE_GUARD] = _sized
        self.globals["lipsum"] = _lipsum

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check()
        return super().getitem(obj, argument)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _check()
        _check_widths(getattr(obj, "__name__", ""), args, kwargs)
        return _sized(super().call(context, obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check()
        _check_binop(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        """Refuse at once: Jinja's default, an empty value, would hide the attempt."""
        why = (
            "templates cannot change the values they are given"
            if modifies_known_mutable(obj, attribute)
            else "Python internals are out of reach"
        )
        raise SecurityError(
            f"templates may not use {attribute!r} of a {type(obj).__name__!r} value ({why})"
        )


_ENVIRONMENTS = {escape: _GuardedEnvironment(autoescape=escape) for escape in (False, True)}


def _wrap(node: nodes.Node, guard: str) -> nodes.Filter:
    return nodes.Filter(node, guard, [], [], None, None, lineno=node.lineno)


def _guard_concat(node: Any) -> Any:
    return _wrap(node, _SIZE_GUARD) if isinstance(node, nodes.Concat) else node


def _add_guards(tree: nodes.Template) -> nodes.Template:
    """Check the budget on every loop step and the size of every ``~`` result."""
    for loop in tree.find_all(nodes.For):
        loop.iter = _wrap(loop.iter, _LOOP_GUARD)
    for parent in list(tree.find_all(nodes.Node)):  # a list: the new nodes are not revisited
        for field in parent.fields:
            child = getattr(parent, field)
            if isinstance(child, nodes.Concat):
                setattr(parent, field, _wrap(child, _SIZE_GUARD))
            elif isinstance(child, list):
                child[:] = [_guard_concat(c) for c in child]
    return tree


@functools.lru_cache(maxsize=256)
def _compile(source: str, escape_html: bool) -> jinja2.Template:
    environment = _ENVIRONMENTS[escape_html]
    try:
        return environment.from_string(_add_guards(environment.parse(source)))
    except jinja2.TemplateSyntaxError as exc:
        raise BlockExecutionError(
            f"Template syntax error on line {exc.lineno}: {exc.message}"
        ) from None
    except (SyntaxError, RecursionError, MemoryError) as exc:  # nesting beyond Python's limits
        raise BlockExecutionError(f"Template could not be compiled: {exc}") from None


def _render(source: str, values: Mapping[str, Any], escape_html: bool, budget: _Budget) -> str:
    # Compiled outside the budget: a value Jinja fails to fold into a constant there must
    # not fail a render that never evaluates it (it is evaluated, and checked, when it runs).
    template = _compile(source, escape_html)
    budget.start()
    token = _BUDGET.set(budget)
    try:
        return _collect(template.generate(dict(values)), budget)
    except Exception as exc:  # anything raised by user template code is the user's error
        if budget.failure is not None:  # a limit, whatever the template made of it
            raise BlockExecutionError(budget.failure) from None
        raise BlockExecutionError(f"Template could not be rendered: {exc}") from None
    finally:
        _BUDGET.reset(token)


def _collect(stream: Iterator[str], budget: _Budget) -> str:
    """The rendered text, checking the budget and the output size after every chunk."""
    parts: list[str] = []
    size = 0
    try:
        for chunk in stream:
            size += len(chunk)
            if size > TEMPLATE_OUTPUT_LIMIT:
                budget.fail(_too_large("The template's output is", " characters"))
            budget.check()
            parts.append(chunk)
    finally:
        if isinstance(stream, Generator):
            stream.close()
    return "".join(parts)


async def render_template(
    ctx: BlockContext, source: str, values: Mapping[str, Any], *, escape_html: bool = False
) -> str:
    """Render a Jinja2 template in the sandbox, in a worker thread, within the time limit.

    Every failure, the template's own or a limit, is a ``BlockExecutionError`` that says
    what went wrong. When this coroutine is cancelled the render stops too.
    """
    seconds = TEMPLATE_TIMEOUT_SECONDS
    budget = _Budget(seconds)
    try:
        return await asyncio.wait_for(
            ctx.run_blocking(_render, source, values, escape_html, budget),
            seconds + BACKSTOP_GRACE_SECONDS,
        )
    except TimeoutError:  # stuck in one long operation; it stops at its next check
        raise BlockExecutionError(_too_slow(seconds)) from None
    finally:
        budget.stop()
