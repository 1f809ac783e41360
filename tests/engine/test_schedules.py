"""Cron times in a time zone: next fire, daylight-saving changes, clear errors."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from blockyard.engine.schedules import check_cron, fire_key, next_fire
from blockyard.errors import InvalidValueError

PARIS = ZoneInfo("Europe/Paris")


def at(zone: ZoneInfo, *parts: int) -> float:
    return datetime(*parts, tzinfo=zone).timestamp()  # type: ignore[misc]


def test_next_fire_is_strictly_after_and_in_the_zone() -> None:
    start = at(PARIS, 2026, 6, 1, 8, 59, 30)
    assert next_fire("0 9 * * *", "Europe/Paris", start) == at(PARIS, 2026, 6, 1, 9, 0)
    on_time = at(PARIS, 2026, 6, 1, 9, 0)
    assert next_fire("0 9 * * *", "Europe/Paris", on_time) == at(PARIS, 2026, 6, 2, 9, 0)
    assert next_fire("*/15 * * * *", "UTC", at(UTC, 2026, 1, 1, 0, 7)) == at(UTC, 2026, 1, 1, 0, 15)


def test_nine_oclock_stays_nine_oclock_across_daylight_saving() -> None:
    before = at(PARIS, 2026, 3, 27, 10, 0)  # the clocks go forward on the 29th
    first = next_fire("0 9 * * *", "Europe/Paris", before)
    second = next_fire("0 9 * * *", "Europe/Paris", first)
    assert datetime.fromtimestamp(second, PARIS).hour == 9
    assert second - first == 23 * 3600  # that day is an hour short


def test_a_time_skipped_by_spring_forward_fires_at_the_first_valid_minute() -> None:
    before = at(PARIS, 2026, 3, 28, 12, 0)
    fire = datetime.fromtimestamp(next_fire("30 2 * * *", "Europe/Paris", before), PARIS)
    assert (fire.day, fire.hour, fire.minute) == (29, 3, 0)


@pytest.mark.parametrize(
    ("cron", "zone", "message"),
    [
        ("61 * * * *", "UTC", "Invalid cron expression"),
        ("* * *", "UTC", "five fields"),
        ("0 9 * * *", "Mars/Olympus", "Unknown time zone"),
        ("0 0 30 2 *", "UTC", "day-of-month"),
    ],
)
def test_bad_cron_or_zone_is_a_clear_error(cron: str, zone: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        check_cron(cron, zone)


def test_fire_keys_name_the_schedule_and_the_fire() -> None:
    assert fire_key("s1", 1_800_000_000.0) == "schedule:s1:1800000000"
