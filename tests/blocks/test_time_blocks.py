"""Clock blocks: time zones, offsets, and a timer that honours cancellation."""

import datetime

import pytest

from blockyard.blocks.testing import make_context, run_block
from blockyard.blocks.time import (
    CountdownTimerBlock,
    GetCurrentDateAndTimeBlock,
    GetCurrentDateBlock,
)
from blockyard.errors import BlockInputError


async def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(BlockInputError, match="unknown time zone 'Mars/Olympus'"):
        await run_block(
            GetCurrentDateAndTimeBlock(),
            {
                "trigger": "x",
                "format_type": {"discriminator": "iso8601", "timezone": "Mars/Olympus"},
            },
        )


async def test_time_zone_is_applied() -> None:
    outputs = await run_block(
        GetCurrentDateAndTimeBlock(),
        {"trigger": "x", "format_type": {"discriminator": "iso8601", "timezone": "Asia/Kolkata"}},
    )
    moment = datetime.datetime.fromisoformat(outputs["date_time"][0])
    assert moment.utcoffset() == datetime.timedelta(hours=5, minutes=30)


async def test_offset_that_is_not_a_number_is_an_error() -> None:
    outputs = await run_block(GetCurrentDateBlock(), {"trigger": "x", "offset": "soon"})
    assert outputs == {"error": ["The offset 'soon' is not a whole number of days."]}


async def test_offset_beyond_the_calendar_is_an_error() -> None:
    outputs = await run_block(GetCurrentDateBlock(), {"trigger": "x", "offset": 10**7})
    assert "leaves the calendar" in outputs["error"][0]


async def test_negative_duration_is_an_error() -> None:
    outputs = await run_block(CountdownTimerBlock(), {"minutes": -1})
    assert outputs == {"error": ["minutes cannot be negative (-1)."]}


async def test_duration_that_is_not_a_number_is_an_error() -> None:
    outputs = await run_block(CountdownTimerBlock(), {"seconds": "ten"})
    assert outputs == {"error": ["seconds must be a number, not 'ten'."]}


async def test_cancelled_timer_sends_nothing() -> None:
    ctx = make_context()
    ctx.cancelled.set()
    assert await run_block(CountdownTimerBlock(), {"hours": 1}, ctx) == {}
