"""Date arithmetic: the time between two dates, and a date plus or minus a duration.

Dates are ISO 8601 texts (``2025-03-19``, ``2025-03-19T14:05:00+01:00``, ``...Z``). A
date-time without an offset is read in the block's time zone. Seconds, minutes and hours
are elapsed time, so the night summer time starts has 23 of them; days, weeks, months and
years move the calendar and keep the wall-clock time (noon plus one day is noon, whatever
the clocks did overnight). Adding a month to 31 January gives the last day of February.
"""

import calendar
import datetime
import enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext


class TimeUnit(enum.StrEnum):
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


_SECONDS_PER = {
    TimeUnit.SECONDS: 1,
    TimeUnit.MINUTES: 60,
    TimeUnit.HOURS: 3600,
    TimeUnit.DAYS: 86_400,
    TimeUnit.WEEKS: 604_800,
}
_ELAPSED = frozenset({TimeUnit.SECONDS, TimeUnit.MINUTES, TimeUnit.HOURS})


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``ValueError`` with an example when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {name!r} (use a name like Europe/Paris).") from None


def parse_moment(text: str, tz: ZoneInfo) -> tuple[datetime.datetime, bool]:
    """An aware date-time, and whether the text was a date alone; empty text means now."""
    text = text.strip()
    if not text:
        return datetime.datetime.now(tz), False
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date, e.g. 2025-03-19 or 2025-03-19T14:05:00Z."
        ) from None
    date_only = len(text) <= 10 and "T" not in text and ":" not in text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment, date_only


def _months_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative when end is earlier)."""
    if end < start:
        return -_months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` moved by whole months; the day is clamped to the target month's length."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise OverflowError("year out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def difference(start: datetime.datetime, end: datetime.datetime, unit: TimeUnit) -> float:
    """``end - start`` in ``unit``; months and years count whole calendar periods."""
    if unit is TimeUnit.MONTHS:
        return float(_months_between(start, end))
    if unit is TimeUnit.YEARS:
        return float(int(_months_between(start, end) / 12))
    return elapsed_seconds(start, end) / _SECONDS_PER[unit]


def elapsed_seconds(start: datetime.datetime, end: datetime.datetime) -> float:
    """Real time elapsed (Python compares times in one zone by the clock, so use UTC)."""
    return (end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)).total_seconds()


def shift(moment: datetime.datetime, amount: float, unit: TimeUnit) -> datetime.datetime:
    """``moment`` plus ``amount`` ``unit``; ``ValueError`` for fractional months or years."""
    if unit in (TimeUnit.MONTHS, TimeUnit.YEARS):
        if amount != int(amount):
            raise ValueError(f"Months and years must be whole numbers, not {amount:g}.")
        return add_months(moment, int(amount) * (12 if unit is TimeUnit.YEARS else 1))
    delta = datetime.timedelta(seconds=amount * _SECONDS_PER[unit])
    if unit in _ELAPSED:
        tz = moment.tzinfo
        return (moment.astimezone(datetime.UTC) + delta).astimezone(tz)
    return moment + delta


class DateDifferenceBlock(Block):
    id = "6405aa39-6ad6-48ff-b29c-bbe2637c2458"
    description = (
        "Tells how much time lies between two dates or date-times (ISO 8601), in seconds, "
        "minutes, hours, days, weeks, or whole months or years (e.g. an age)."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        start: str = SchemaField(
            description="The earlier date (ISO 8601).", placeholder="2025-01-31"
        )
        end: str = SchemaField(
            default="",
            advanced=False,
            description="The later date (ISO 8601); empty means now.",
            placeholder="2025-03-01T12:00:00Z",
        )
        unit: TimeUnit = SchemaField(default=TimeUnit.DAYS, description="The unit of the answer.")
        timezone: str = SchemaField(
            default="UTC", description="The time zone of dates written without an offset."
        )

    class Output(BlockSchemaOutput):
        difference: float = SchemaField(
            description="end - start in the unit (negative when end is earlier)."
        )
        total_seconds: float = SchemaField(description="end - start in seconds.")

    test_input = [
        {"start": "2025-01-31", "end": "2025-03-01T12:00:00", "unit": "days"},
        {"start": "2000-03-15", "end": "2025-03-14", "unit": "years"},
        {
            "start": "2025-03-30T00:00",
            "end": "2025-03-31T00:00",
            "unit": "hours",
            "timezone": "Europe/Paris",
        },
    ]
    test_output = [
        ("difference", 29.5),
        ("total_seconds", 29.5 * 86_400),
        ("difference", 24.0),
        ("total_seconds", lambda s: s > 0),
        ("difference", 23.0),
        ("total_seconds", 23 * 3600.0),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            tz = zone(input_data.timezone)
            start, _ = parse_moment(input_data.start, tz)
            end, _ = parse_moment(input_data.end, tz)
            result = difference(start, end, input_data.unit)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "difference", result
        yield "total_seconds", elapsed_seconds(start, end)


def _format(moment: datetime.datetime, date_only: bool) -> str:
    if date_only and moment.time() == datetime.time(0):
        return moment.date().isoformat()
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


class AddDurationBlock(Block):
    id = "080240f6-861d-413f-b916-4e47cac28272"
    description = (
        "Adds a duration to a date or date-time (or subtracts it, with a negative amount): "
        "e.g. 'in 3 days', '2 hours ago', 'a month later'. Answers in ISO 8601."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        date: str = SchemaField(
            default="",
            advanced=False,
            description="The starting date (ISO 8601); empty means now.",
            placeholder="2025-01-31",
        )
        amount: float = SchemaField(description="How much to add; negative subtracts.")
        unit: TimeUnit = SchemaField(default=TimeUnit.DAYS, description="The unit of the amount.")
        timezone: str = SchemaField(
            default="UTC",
            description="The time zone of a date written without an offset, and of 'now'.",
        )

    class Output(BlockSchemaOutput):
        result: str = SchemaField(
            description="The new date (a date alone stays a date alone when possible)."
        )

    test_input = [
        {"date": "2024-01-31", "amount": 1, "unit": "months"},
        {"date": "2025-03-19T14:05:00Z", "amount": -2.5, "unit": "hours"},
        {
            "date": "2025-03-29T12:00:00",
            "amount": 1,
            "unit": "days",
            "timezone": "Europe/Paris",
        },
    ]
    test_output = [
        ("result", "2024-02-29"),
        ("result", "2025-03-19T11:35:00+00:00"),
        ("result", "2025-03-30T12:00:00+02:00"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            tz = zone(input_data.timezone)
            start, date_only = parse_moment(input_data.date, tz)
            moved = shift(start, input_data.amount, input_data.unit)
        except OverflowError:
            yield "error", f"Adding {input_data.amount:g} {input_data.unit} leaves the calendar."
            return
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "result", _format(moved, date_only)
