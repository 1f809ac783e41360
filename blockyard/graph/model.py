"""An agent as data: a versioned graph of nodes (blocks with defaults) and links.

The field names are those of AutoGPT's agent JSON, so a file exported there reads here.
These models hold no behaviour beyond lookups; validation against the block registry is
:mod:`blockyard.graph.validate`, the file format :mod:`blockyard.graph.agent_json`.
"""

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def new_id() -> str:
    return str(uuid.uuid4())


class NodePolicy(BaseModel):
    """How the engine retries and times out one node. The default runs once, no timeout."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(1, ge=1, le=20, description="Runs at most this many times.")
    backoff_seconds: float = Field(1.0, ge=0, le=3600, description="Wait before attempt 2.")
    backoff_factor: float = Field(2.0, ge=1, le=10, description="Each wait grows by this.")
    timeout_seconds: float | None = Field(None, gt=0, description="Per attempt; none: no limit.")
    retry_on: list[str] = Field(
        default_factory=lambda: ["transient", "timeout"],
        description="Which failures retry: 'transient', 'timeout', 'error' (any), or an "
        "exception class name.",
    )


class Link(BaseModel):
    """``source_id.source_name -> sink_id.sink_name``; static links keep their last value."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(default_factory=new_id)
    source_id: str
    sink_id: str
    source_name: str
    sink_name: str
    is_static: bool = False


class Node(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(default_factory=new_id)
    block_id: str
    input_default: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    policy: NodePolicy | None = None


class BaseGraph(BaseModel):
    """A graph without owner fields: the shape of ``sub_graphs`` entries."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(default_factory=new_id)
    version: int = 1
    is_active: bool = True
    name: str = ""
    description: str = ""
    nodes: list[Node] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None


class Graph(BaseGraph):
    """A whole agent: the graph plus every sub-graph its Agent Executor nodes use."""

    sub_graphs: list[BaseGraph] = Field(default_factory=list)
    user_id: str = ""
