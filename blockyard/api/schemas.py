"""Request and response bodies, as families: ``XCreate`` / ``XUpdate`` in, ``XPublic`` out.

Public schemas read the store's and the engine's records by attribute
(``from_attributes``), so a route returns ``XPublic.of(record)`` and never leaks a field
that is not listed here (password hashes, key hashes). Engine timestamps are epoch seconds;
they leave the API as ISO 8601 datetimes.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from blockyard.api.auth import Scope
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import Graph


def _to_datetime(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(_to_datetime)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
MAX_INT = 2**31 - 1
"""The largest version number or offset a request may carry (larger ones are 422, not a
database overflow)."""


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- accounts --------------------------------------------------------------------------


class UserCreate(BaseModel):
    email: Email
    password: Password
    name: str = Field("", max_length=200)


class UserPublic(Public):
    id: str
    email: str
    name: str
    is_admin: bool


class LoginRequest(BaseModel):
    email: Email
    password: str = Field(max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(max_length=4096)


class TokenPairPublic(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1)


class ApiKeyPublic(Public):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: Timestamp = None
    last_used_at: Timestamp = None
    revoked_at: Timestamp = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself: shown once, never stored.")


# --- graphs ----------------------------------------------------------------------------


class GraphCreate(BaseModel):
    graph: Graph
    source: str | None = Field(None, description="Where the graph came from (e.g. 'upload').")


class GraphUpdate(BaseModel):
    graph: Graph


class GraphPublic(Graph):
    """A saved graph with the JSON schemas of its inputs and outputs."""

    input_schema: dict[str, Any] = Field(default_factory=dict)
    output_schema: dict[str, Any] = Field(default_factory=dict)


class GraphMetaPublic(Public):
    id: str
    version: int
    name: str
    description: str
    is_active: bool
    created_at: Timestamp = None
    updated_at: Timestamp = None


class SetActiveVersion(BaseModel):
    active_graph_version: int = Field(ge=1, le=MAX_INT)


class MissingBlock(BaseModel):
    node_id: str
    block_id: str


class GraphImportPublic(BaseModel):
    graph: GraphPublic
    missing_blocks: list[MissingBlock]


# --- executions ------------------------------------------------------------------------


class ExecuteRequest(BaseModel):
    inputs: dict[str, Any] = Field(default_factory=dict)
    node_input_masks: dict[str, dict[str, Any]] | None = None


class RerunRequest(BaseModel):
    node_id: str
    inputs: dict[str, Any] | None = None


class GraphExecutionMeta(Public):
    id: str
    graph_id: str
    graph_version: int
    user_id: str
    status: ExecutionStatus
    created_at: Timestamp = None
    started_at: Timestamp = None
    ended_at: Timestamp = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    parent_exec_id: str | None = Field(
        None, description="For a sub-agent run: the run whose Agent Executor node started it."
    )
    parent_node_exec_id: str | None = Field(
        None, description="For a sub-agent run: the node execution that started it."
    )


class NodeExecutionPublic(Public):
    node_exec_id: str = Field(validation_alias="id")
    node_id: str
    block_id: str
    status: ExecutionStatus
    input_data: dict[str, Any] = Field(default_factory=dict)
    output_data: dict[str, list[Any]] = Field(default_factory=dict)
    add_time: Timestamp = Field(None, validation_alias="added_at")
    queue_time: Timestamp = Field(None, validation_alias="queued_at")
    start_time: Timestamp = Field(None, validation_alias="started_at")
    end_time: Timestamp = Field(None, validation_alias="ended_at")
    error: str | None = None
    seq: int = 0
    stats: dict[str, Any] = Field(
        default_factory=dict,
        description="What the run measured: walltime, attempts, token usage, cost, ...",
    )


class GraphExecutionPublic(GraphExecutionMeta):
    outputs: dict[str, list[Any]] = Field(default_factory=dict)
    node_executions: list[NodeExecutionPublic] = Field(default_factory=list)
    children: list[GraphExecutionMeta] = Field(
        default_factory=list,
        description="Sub-agent runs started by this run's Agent Executor nodes, oldest first.",
    )
    cost: int = Field(
        0,
        description="Credits charged for this run's node executions (its own, not its sub-runs').",
    )


class HealthPublic(BaseModel):
    status: Literal["ok"] = "ok"
