"""Clock blocks: time zones, offsets, and a timer that honours cancellation."""

import datetime

import pytest

from blockyard.blocks.testing import make_context, run_block
from blockyard.blocks.time import (
    CountdownTimerBlock,
    GetCurrentDateAndTimeBlock,
    GetCurrentDateBlock,
    WaitBlock,
)
from blockyard.blocks.time_calc import AddDurationBlock, DateDifferenceBlock
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


async def test_wait_longer_than_a_day_is_refused() -> None:
    outputs = await run_block(WaitBlock(), {"value": 1, "seconds": 90_000})
    assert outputs == {
        "error": [
            "A wait of 90,000 seconds is longer than a day; use a schedule to run the agent "
            "later instead."
        ]
    }


async def test_cancelled_wait_sends_nothing() -> None:
    ctx = make_context()
    ctx.cancelled.set()
    assert await run_block(WaitBlock(), {"value": 1, "seconds": 3600}, ctx) == {}


async def test_wait_rejects_negative_seconds() -> None:
    with pytest.raises(BlockInputError, match="seconds"):
        await run_block(WaitBlock(), {"value": 1, "seconds": -1})


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"start": "yesterday"}, "'yesterday' is not an ISO 8601 date"),
        ({"start": "2025-01-01", "timezone": "Mars/Olympus"}, "Unknown time zone 'Mars/Olympus'"),
    ],
)
async def test_date_difference_bad_input(inputs: dict[str, str], message: str) -> None:
    outputs = await run_block(DateDifferenceBlock(), inputs)
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith(message)


async def test_date_difference_in_months_counts_whole_months_both_ways() -> None:
    forward = {"start": "2025-01-31", "end": "2025-03-30", "unit": "months"}
    backward = {"start": "2025-03-30", "end": "2025-01-31", "unit": "months"}
    assert (await run_block(DateDifferenceBlock(), forward))["difference"] == [1.0]
    assert (await run_block(DateDifferenceBlock(), backward))["difference"] == [-1.0]


async def test_date_difference_compares_offsets_as_real_time() -> None:
    inputs = {"start": "2025-06-01T12:00:00+02:00", "end": "2025-06-01T12:00:00Z", "unit": "hours"}
    assert (await run_block(DateDifferenceBlock(), inputs))["difference"] == [2.0]


async def test_date_difference_to_now() -> None:
    outputs = await run_block(DateDifferenceBlock(), {"start": "2000-01-01", "unit": "years"})
    assert outputs["difference"][0] >= 25


@pytest.mark.parametrize(
    ("inputs", "result"),
    [
        ({"date": "2024-02-29", "amount": 1, "unit": "years"}, "2025-02-28"),
        ({"date": "2025-01-01", "amount": -1, "unit": "weeks"}, "2024-12-25"),
        ({"date": "2025-01-01", "amount": 90, "unit": "minutes"}, "2025-01-01T01:30:00+00:00"),
        (
            {"date": "2025-03-30T01:30", "amount": 1, "unit": "hours", "timezone": "Europe/Paris"},
            "2025-03-30T03:30:00+02:00",
        ),
    ],
)
async def test_add_duration(inputs: dict[str, object], result: str) -> None:
    assert await run_block(AddDurationBlock(), inputs) == {"result": [result]}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"date": "2025-01-01", "amount": 1.5, "unit": "months"}, "Months and years must be whole"),
        ({"date": "9999-12-31", "amount": 1, "unit": "days"}, "Adding 1 days leaves the calendar."),
        ({"date": "2025-01-01", "amount": 1e20, "unit": "seconds"}, "Adding 1e+20 seconds leaves"),
        ({"date": "31/01/2025", "amount": 1}, "'31/01/2025' is not an ISO 8601 date"),
    ],
)
async def test_add_duration_failures(inputs: dict[str, object], message: str) -> None:
    outputs = await run_block(AddDurationBlock(), inputs)
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith(message)
