"""Request and response bodies of the schedule routes (``routes/schedules.py``)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from blockyard.api.schemas import MAX_INT, Timestamp

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Cron = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="Five fields: minute hour day-of-month month day-of-week."),
]
Zone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    Field(description="An IANA time zone, e.g. 'Europe/Paris'; the cron is read in it."),
]
Version = Annotated[int, Field(ge=1, le=MAX_INT)]


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    cron: Cron
    timezone: Zone = "UTC"
    inputs: dict[str, Any] = Field(default_factory=dict, description="The agent's inputs.")
    graph_version: Version | None = Field(
        None, description="The version to run; empty runs whichever is active at the time."
    )


class ScheduleUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    cron: Cron | None = None
    timezone: Zone | None = None
    inputs: dict[str, Any] | None = None
    graph_version: Version | None = None
    enabled: bool | None = None


class SchedulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    graph_id: str
    graph_version: int | None
    name: str
    cron: str
    timezone: str
    inputs: dict[str, Any] = Field(description="Secret inputs are shown masked.")
    enabled: bool
    next_run_at: Timestamp = Field(None, description="When it fires next; empty while off.")
    last_run_at: Timestamp = None
    last_exec_id: str | None = Field(
        None, description="The run its last fire started (empty when it started none)."
    )
    last_error: str | None = Field(None, description="Why its last fire could not start.")
    created_at: Timestamp = None
    updated_at: Timestamp = None
