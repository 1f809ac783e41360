"""Templates render off the event loop within a time and size limit, and stop when they pass it.

A worker thread cannot be killed, so these tests check that the render itself gives up: the
cooperative cases run with a backstop grace far longer than the test timeout, so the block
can only answer because the worker thread returned; the stuck and cancelled cases release
the worker afterwards and wait for the thread pool to finish, which only happens when the
render stops at its next check.
"""

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from blockyard.blocks import templating
from blockyard.blocks.io import AgentOutputBlock
from blockyard.blocks.testing import run_block
from blockyard.blocks.text import FillTextTemplateBlock

NESTED_PRINTING = "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}"
NESTED_SILENT = (
    "{% for a in items %}{% for b in items %}{% for c in items %}"
    "{% endfor %}{% endfor %}{% endfor %}"
)
RECURSIVE_MACRO = (
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}"
)


class Ticker:
    """Counts the template's calls; can hold the first call until released (a stuck step)."""

    def __init__(self, *, hold_first: bool = False) -> None:
        self.calls = 0
        self.hold_first = hold_first
        self.entered = threading.Event()
        self.release = threading.Event()

    def tick(self) -> str:
        self.calls += 1
        if self.hold_first and self.calls == 1:
            self.entered.set()
            self.release.wait(60)
        return ""


def all_stopped(executor: ThreadPoolExecutor) -> bool:
    """Whether every worker thread of ``executor`` ends; a thread still rendering never does.

    The minute is not a speed limit, only a way to fail instead of hanging the test run.
    """
    waiter = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
    waiter.start()
    waiter.join(60)
    return not waiter.is_alive()


@pytest.fixture
async def workers() -> AsyncIterator[ThreadPoolExecutor]:
    """The loop's worker threads, so a test can wait for every render thread to finish."""
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="template-test")
    asyncio.get_running_loop().set_default_executor(executor)
    yield executor
    assert all_stopped(executor)


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 0.2 s deadline, and a backstop that never answers first: only the thread can."""
    monkeypatch.setattr(templating, "TEMPLATE_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(templating, "BACKSTOP_GRACE_SECONDS", 3600.0)
    monkeypatch.setattr(templating, "TEMPLATE_OUTPUT_LIMIT", 10**12)


async def fill(fmt: str, **values: object) -> dict[str, list[Any]]:
    return await run_block(FillTextTemplateBlock(), {"format": fmt, "values": values})


async def test_a_normal_template_still_renders() -> None:
    fmt = (
        "{% for p in people if p.age > 1 %}{{ loop.index }}/{{ loop.length }} "
        "{{ p.name|upper }}{{ ', ' if not loop.last }}{% endfor %}; "
        "{{ people|map(attribute='name')|join('+') }}; {{ missing|default('none') }}; "
        "{{ 'ab' * 2 }} {{ 2 ** 10 }} {{ '%03d'|format(7) }} {{ 'a' ~ 1 }}"
    )
    people = [{"name": "ann", "age": 30}, {"name": "bo", "age": 1}, {"name": "cy", "age": 5}]
    outputs = await fill(fmt, people=people)
    assert outputs == {"output": ["1/2 ANN, 2/2 CY; ann+bo+cy; none; abab 1024 007 a1"]}


@pytest.mark.parametrize(
    ("fmt", "values"),
    [
        pytest.param(NESTED_PRINTING, {}, id="nested-loops-that-print"),
        pytest.param(NESTED_SILENT, {"items": list(range(5000))}, id="loops-without-output"),
        pytest.param(RECURSIVE_MACRO, {}, id="recursion-without-loops"),
    ],
)
@pytest.mark.usefixtures("short_deadline", "workers")
async def test_endless_work_stops_at_the_deadline(fmt: str, values: dict[str, Any]) -> None:
    outputs = await fill(fmt, **values)
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith("The template took longer than 0.2 s to render")


@pytest.mark.usefixtures("short_deadline")
async def test_calls_stop_with_the_error(workers: ThreadPoolExecutor) -> None:
    ticker = Ticker()
    fmt = NESTED_PRINTING.replace("x", "{{ t.tick() }}")
    outputs = await fill(fmt, t=ticker)
    calls_at_error = ticker.calls
    assert all_stopped(workers)
    assert "took longer than 0.2 s" in outputs["error"][0]
    assert calls_at_error > 0
    assert ticker.calls == calls_at_error


async def test_a_render_stuck_in_one_step_frees_the_caller_and_then_stops(
    workers: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templating, "TEMPLATE_TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(templating, "BACKSTOP_GRACE_SECONDS", 0.1)
    ticker = Ticker(hold_first=True)
    outputs = await fill("{% for a in range(99999) %}{{ t.tick() }}{% endfor %}", t=ticker)
    assert outputs["error"][0].startswith("The template took longer than 0.1 s")
    assert ticker.entered.is_set()
    ticker.release.set()
    assert all_stopped(workers)  # only once the render thread has given up
    assert ticker.calls == 1


async def test_cancelling_the_block_stops_the_render(
    workers: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templating, "TEMPLATE_TIMEOUT_SECONDS", 3600.0)
    ticker = Ticker(hold_first=True)
    task = asyncio.create_task(
        fill("{% for a in range(99999) %}{{ t.tick() }}{% endfor %}", t=ticker)
    )
    assert await asyncio.to_thread(ticker.entered.wait, 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ticker.release.set()
    assert all_stopped(workers)
    assert ticker.calls == 1


async def test_output_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "TEMPLATE_OUTPUT_LIMIT", 1000)
    outputs = await fill(NESTED_PRINTING)
    assert outputs == {
        "error": [
            "The template's output is larger than 1,000 characters, the most a template "
            "may produce."
        ]
    }


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("{{ 'x' * 10 ** 9 }}", "repeats a text or list to a size larger than 4,000,000"),
        ("{{ [0] * 10 ** 9 }}", "repeats a text or list to a size larger than 4,000,000"),
        ("{{ 'x'|center(10 ** 9) }}", "asks center() for a size larger than 4,000,000"),
        ("{{ 'x'.ljust(10 ** 9) }}", "asks ljust() for a size larger than 4,000,000"),
        ("{{ 7 ** 100000 }}", "raises a number to a power too large to compute"),
        ("{{ lipsum(10 ** 6) }}", "lipsum() makes at most 100 paragraphs"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "builds a text or list larger than 4,000,000",
        ),
        (
            "{% set ns = namespace(s=['x']) %}{% for i in range(64) %}"
            "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
            "builds a text or list larger than 4,000,000",
        ),
    ],
)
async def test_values_that_would_grow_too_large_are_refused(fmt: str, message: str) -> None:
    outputs = await fill(fmt)
    assert list(outputs) == ["error"]
    assert message in outputs["error"][0]


async def test_a_limit_in_a_branch_never_taken_does_not_fail_the_render() -> None:
    fmt = "{% if false %}{{ 'x'|center(10 ** 9) }}{% endif %}ok"
    assert await fill(fmt) == {"output": ["ok"]}
    assert await fill(fmt) == {"output": ["ok"]}  # the same again, from the compiled cache


@pytest.mark.parametrize(
    ("fmt", "attribute"),
    [
        ("{{ ''.__class__.__mro__ }}", "'__class__' of a 'str' value"),
        ("{{ cycler.__init__.__globals__ }}", "'__init__' of a 'type' value"),
        ("{{ ''['__class__'] }}", "'__class__' of a 'str' value"),
        ("{{ x.__class__ }}", "'__class__' of a 'int' value"),
    ],
)
async def test_python_internals_are_refused_with_a_clear_error(fmt: str, attribute: str) -> None:
    outputs = await fill(fmt, x=1)
    assert outputs == {
        "error": [
            f"Template could not be rendered: templates may not use {attribute} "
            "(Python internals are out of reach)"
        ]
    }


async def test_changing_a_value_is_refused_with_its_reason() -> None:
    outputs = await fill("{{ items.append(3) }}", items=[1])
    assert "templates cannot change the values they are given" in outputs["error"][0]


async def test_nesting_beyond_python_limits_is_an_error() -> None:
    fmt = "{% for a in x %}" * 30 + "{% endfor %}" * 30
    outputs = await fill(fmt, x=[1])
    assert outputs["error"][0].startswith("Template could not be compiled:")


@pytest.mark.usefixtures("short_deadline")
async def test_agent_output_format_has_the_same_limits(workers: ThreadPoolExecutor) -> None:
    outputs = await run_block(
        AgentOutputBlock(), {"name": "answer", "value": 1, "format": NESTED_PRINTING}
    )
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith("Output 'answer': The template took longer than")


async def test_the_event_loop_stays_free_during_a_render(
    workers: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templating, "TEMPLATE_TIMEOUT_SECONDS", 3600.0)
    ticker = Ticker(hold_first=True)
    task = asyncio.create_task(fill("{{ t.tick() }}done", t=ticker))
    # The render holds its worker thread; the loop still runs this coroutine meanwhile.
    assert await asyncio.to_thread(ticker.entered.wait, 60)
    assert not task.done()
    ticker.release.set()
    assert await task == {"output": ["done"]}
