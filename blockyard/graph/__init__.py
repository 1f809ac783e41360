"""Agents as data: the graph model, its validation, the AutoGPT file format, its I/O schemas.

Import from here; the submodules are ``model`` (Graph, Node, Link), ``validate`` (checks
against a block registry), ``agent_json`` (read and write agent files) and ``io_schema``
(an agent's inputs and outputs as JSON schemas).
"""

from blockyard.graph.agent_json import (
    LEGACY_BLOCK_IDS,
    MissingBlock,
    dump_agent,
    load_agent,
    missing_blocks,
    reassign_ids,
    strip_secret_values,
)
from blockyard.graph.io_schema import (
    graph_input_schema,
    graph_output_schema,
    input_default_value,
    input_nodes,
    output_nodes,
)
from blockyard.graph.model import BaseGraph, Graph, Link, Node, NodePolicy, new_id
from blockyard.graph.validate import Problem, ensure_valid, normalise, validate_graph

__all__ = [
    "LEGACY_BLOCK_IDS",
    "BaseGraph",
    "Graph",
    "Link",
    "MissingBlock",
    "Node",
    "NodePolicy",
    "Problem",
    "dump_agent",
    "ensure_valid",
    "graph_input_schema",
    "graph_output_schema",
    "input_default_value",
    "input_nodes",
    "load_agent",
    "missing_blocks",
    "new_id",
    "normalise",
    "output_nodes",
    "reassign_ids",
    "strip_secret_values",
    "validate_graph",
]
