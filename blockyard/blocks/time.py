"""Clock blocks: the current time and date in any time zone, a countdown timer and a wait.

The ``format_type`` inputs keep AutoGPT's shape (``{"discriminator": "strftime", "format":
..., "timezone": ...}`` or ``{"discriminator": "iso8601", ...}``) so exported agents
import as they are. Time zones are any IANA name (``Europe/Paris``), checked on input.
"""

import asyncio
import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext


class _Zoned(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timezone: str = Field("UTC", description="An IANA time zone, e.g. UTC or Europe/Paris.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use a name like Europe/Paris)"
            ) from None
        return value

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(tz=ZoneInfo(self.timezone))


class TimeStrftimeFormat(_Zoned):
    discriminator: Literal["strftime"]
    format: str = Field("%H:%M:%S", description="A strftime pattern, e.g. %H:%M.")


class TimeISO8601Format(_Zoned):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False


class DateStrftimeFormat(_Zoned):
    discriminator: Literal["strftime"]
    format: str = Field("%Y-%m-%d", description="A strftime pattern, e.g. %d/%m/%Y.")


class DateISO8601Format(_Zoned):
    discriminator: Literal["iso8601"]


class StrftimeFormat(_Zoned):
    discriminator: Literal["strftime"]
    format: str = Field("%Y-%m-%d %H:%M:%S", description="A strftime pattern.")


class ISO8601Format(_Zoned):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False


def _strftime(moment: datetime.datetime | datetime.date, pattern: str) -> str:
    try:
        return moment.strftime(pattern)
    except ValueError as exc:
        raise ValueError(f"The format {pattern!r} cannot be used: {exc}.") from None


def _iso(moment: datetime.datetime, microseconds: bool) -> str:
    return moment.isoformat(timespec="microseconds" if microseconds else "seconds")


class GetCurrentTimeBlock(Block):
    id = "a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa"
    description = "Sends the current time of day when triggered (e.g. 14:05:09)."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Any value; it makes the block run.")
        format_type: TimeStrftimeFormat | TimeISO8601Format = SchemaField(
            default=TimeStrftimeFormat(discriminator="strftime"),
            discriminator="discriminator",
            description="A strftime pattern, or ISO 8601 (THH:MM:SS+HH:MM); and a time zone.",
        )

    class Output(BlockSchemaOutput):
        time: str = SchemaField(description="The current time, formatted.")

    test_input = [
        {"trigger": "go"},
        {"trigger": "go", "format_type": {"discriminator": "iso8601", "timezone": "Asia/Tokyo"}},
    ]
    test_output = [
        ("time", lambda t: datetime.datetime.strptime(t, "%H:%M:%S") is not None),
        ("time", lambda t: t.startswith("T") and t.endswith("+09:00")),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        fmt = input_data.format_type
        now = fmt.now()
        if isinstance(fmt, TimeISO8601Format):
            yield "time", "T" + _iso(now, fmt.include_microseconds).split("T", 1)[1]
            return
        try:
            yield "time", _strftime(now, fmt.format)
        except ValueError as exc:
            yield "error", str(exc)


class GetCurrentDateBlock(Block):
    id = "b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1"
    description = (
        "Sends today's date when triggered, or the date some days before (a positive "
        "offset) or after (a negative offset), as AutoGPT counts it."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Any value; it makes the block run.")
        offset: int | str = SchemaField(
            default=0,
            title="Days Offset",
            description="Days to go back from today (7: a week ago; -1: tomorrow).",
        )
        format_type: DateStrftimeFormat | DateISO8601Format = SchemaField(
            default=DateStrftimeFormat(discriminator="strftime"),
            discriminator="discriminator",
            description="A strftime pattern, or ISO 8601 (YYYY-MM-DD); and a time zone.",
        )

    class Output(BlockSchemaOutput):
        date: str = SchemaField(description="The date, formatted.")

    test_input = [
        {"trigger": "go", "offset": "7"},
        {"trigger": "go", "offset": -1, "format_type": {"discriminator": "iso8601"}},
    ]
    test_output = [
        (
            "date",
            lambda d: abs((datetime.date.today() - datetime.date.fromisoformat(d)).days - 7) <= 1,
        ),
        ("date", lambda d: len(d) == 10 and datetime.date.fromisoformat(d) is not None),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            yield "date", self._date(input_data)
        except ValueError as exc:
            yield "error", str(exc)

    def _date(self, input_data: Input) -> str:
        try:
            days = int(str(input_data.offset).strip())
        except ValueError:
            raise ValueError(
                f"The offset {input_data.offset!r} is not a whole number of days."
            ) from None
        fmt = input_data.format_type
        try:
            day = fmt.now().date() - datetime.timedelta(days=days)
        except OverflowError:
            raise ValueError(f"An offset of {days} days leaves the calendar.") from None
        if isinstance(fmt, DateISO8601Format):
            return day.isoformat()
        return _strftime(day, fmt.format)


class GetCurrentDateAndTimeBlock(Block):
    id = "716a67b3-6760-42e7-86dc-18645c6e00fc"
    description = "Sends the current date and time when triggered (e.g. 2025-03-19 14:05:09)."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Any value; it makes the block run.")
        format_type: StrftimeFormat | ISO8601Format = SchemaField(
            default=StrftimeFormat(discriminator="strftime"),
            discriminator="discriminator",
            description="A strftime pattern, or ISO 8601 / RFC 3339; and a time zone.",
        )

    class Output(BlockSchemaOutput):
        date_time: str = SchemaField(description="The current date and time, formatted.")

    test_input = [
        {"trigger": "go"},
        {"trigger": "go", "format_type": {"discriminator": "iso8601", "timezone": "UTC"}},
    ]
    test_output = [
        ("date_time", lambda t: datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S") is not None),
        ("date_time", lambda t: datetime.datetime.fromisoformat(t).utcoffset() is not None),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        fmt = input_data.format_type
        now = fmt.now()
        if isinstance(fmt, ISO8601Format):
            yield "date_time", _iso(now, fmt.include_microseconds)
            return
        try:
            yield "date_time", _strftime(now, fmt.format)
        except ValueError as exc:
            yield "error", str(exc)


def _seconds(name: str, value: int | str) -> float:
    try:
        amount = float(str(value).strip() or 0)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}.") from None
    if amount < 0:
        raise ValueError(f"{name} cannot be negative ({amount:g}).")
    return amount


async def _wait(ctx: BlockContext, seconds: float) -> bool:
    """Sleep without holding a thread; False when the run was cancelled meanwhile."""
    if seconds > 0:
        try:
            await asyncio.wait_for(ctx.cancelled.wait(), timeout=seconds)
        except TimeoutError:
            return True
    return not ctx.cancelled.is_set()


class CountdownTimerBlock(Block):
    id = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
    description = "Waits for the given time, then sends a message; repeats that as often as asked."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        input_message: Any = SchemaField(
            default="timer finished", advanced=False, description="What to send when done."
        )
        seconds: int | str = SchemaField(default=0, advanced=False, description="Seconds.")
        minutes: int | str = SchemaField(default=0, advanced=False, description="Minutes.")
        hours: int | str = SchemaField(default=0, advanced=False, description="Hours.")
        days: int | str = SchemaField(default=0, advanced=False, description="Days.")
        repeat: int = SchemaField(
            default=1, ge=1, description="How many times to wait and send the message."
        )

    class Output(BlockSchemaOutput):
        output_message: Any = SchemaField(description="The message, after each wait.")

    test_input = [{"input_message": "tick", "seconds": "0.01", "repeat": 2}, {}]
    test_output = [
        ("output_message", "tick"),
        ("output_message", "tick"),
        ("output_message", "timer finished"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            total = sum(
                _seconds(name, getattr(input_data, name)) * scale
                for name, scale in (
                    ("seconds", 1),
                    ("minutes", 60),
                    ("hours", 3600),
                    ("days", 86400),
                )
            )
        except ValueError as exc:
            yield "error", str(exc)
            return
        for _ in range(input_data.repeat):
            if not await _wait(ctx, total):
                return
            yield "output_message", input_data.input_message


MAX_WAIT_SECONDS = 86_400.0
"""A Wait longer than a day is refused: such pauses belong in a schedule, not a running node."""


class WaitBlock(Block):
    id = "70e85f55-5f2d-438f-bb8c-7bfd3ba4a6ef"
    description = (
        "Waits a number of seconds, then passes its value on unchanged: a pause between two "
        "steps, e.g. to respect a service's rate limit. Waiting holds no worker thread."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to pass on after the wait.")
        seconds: float = SchemaField(
            default=1.0,
            advanced=False,
            ge=0,
            description=f"How long to wait, in seconds (up to {MAX_WAIT_SECONDS:,.0f}).",
        )

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="The value, after the wait.")

    test_input = [{"value": {"id": 7}, "seconds": 0.01}]
    test_output = [("value", {"id": 7})]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if input_data.seconds > MAX_WAIT_SECONDS:
            yield (
                "error",
                f"A wait of {input_data.seconds:,.0f} seconds is longer than a day; use a "
                "schedule to run the agent later instead.",
            )
            return
        if await _wait(ctx, input_data.seconds):
            yield "value", input_data.value
