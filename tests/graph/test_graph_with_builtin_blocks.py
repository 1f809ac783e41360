"""The graph layer against the real built-in blocks, as an import of an AutoGPT file sees it."""

import pytest
from graph_fakes import AGENT_EXECUTOR, STORE_VALUE, fixture_text

import blockyard.graph
from blockyard.blocks.registry import BlockRegistry, load_registry
from blockyard.graph import (
    dump_agent,
    ensure_valid,
    graph_input_schema,
    graph_output_schema,
    load_agent,
    missing_blocks,
    normalise,
    reassign_ids,
    validate_graph,
)
from blockyard.graph.agent_json import is_secret_name

TWITTER_POST = "7bb0048a-a630-11ef-aeb8-abc0dadb9b12"
"""An AutoGPT block (Twitter Post Tweet) that Blockyard does not have."""


@pytest.fixture(scope="module")
def registry() -> BlockRegistry:
    return load_registry(entry_point_packages=False)


@pytest.mark.parametrize(
    "name", ["testing_agent.json", "legacy_subgraphs.json", "with_sub_graphs.json"]
)
def test_fixtures_made_of_builtin_blocks_import_and_validate(
    registry: BlockRegistry, name: str
) -> None:
    g = reassign_ids(load_agent(fixture_text(name)), user_id="importer")
    assert missing_blocks(g, registry) == []
    assert validate_graph(g, registry) == []
    assert ensure_valid(normalise(g, registry), registry) == []


def test_a_file_using_blocks_we_lack_reports_each_node(registry: BlockRegistry) -> None:
    """Blocks AutoGPT has and we do not (a Twitter block here) are reported per node."""
    g = load_agent(fixture_text("modern_agent.json"))
    llm = g.nodes[2].id
    g.nodes[2].block_id = TWITTER_POST
    assert TWITTER_POST not in registry
    assert missing_blocks(g, registry) == [{"node_id": llm, "block_id": TWITTER_POST}]
    assert [(p.node_id, p.field) for p in validate_graph(g, registry)] == [(llm, "block_id")]


def test_static_output_blocks_make_their_links_static(registry: BlockRegistry) -> None:
    g = load_agent(fixture_text("legacy_subgraphs.json"))
    assert registry.get(STORE_VALUE).static_output
    assert [lk.is_static for lk in g.links] == [False]
    assert [lk.is_static for lk in normalise(g, registry).links] == [True]


def test_the_sub_agent_fixture_schemas(registry: BlockRegistry) -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    assert graph_input_schema(g, registry) == {
        "type": "object",
        "properties": {
            "n": {"anyOf": [{"type": "integer"}, {"type": "number"}], "title": "A number"}
        },
        "required": ["n"],
    }
    assert list(graph_output_schema(g, registry)["properties"]) == ["result"]
    assert list(graph_output_schema(g.sub_graphs[0], registry)["properties"]) == ["doubled"]
    problems = validate_graph(g, registry, for_run=True)
    assert [(p.field, p.message) for p in problems] == [
        ("value", "Graph input 'n' is required: give it a value")
    ]
    assert validate_graph(g, registry, for_run=True, graph_inputs={"n"}) == []


def test_an_executor_pin_the_sub_agent_lacks_is_reported(registry: BlockRegistry) -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.links[0].sink_name = "y"
    executor = g.nodes[1]
    assert executor.block_id == AGENT_EXECUTOR
    assert [(p.node_id, p.field) for p in validate_graph(g, registry)] == [(executor.id, "y")]


def test_a_toggle_input_defaults_to_off_and_is_not_required(registry: BlockRegistry) -> None:
    g = load_agent(
        {
            "nodes": [
                {
                    "id": "t",
                    "block_id": "cbf36ab5-df4a-43b6-8a7f-f7ed8652116e",
                    "input_default": {"name": "verbose"},
                },
                {
                    "id": "d",
                    "block_id": "7e198b09-4994-47db-8b4d-952d98241817",
                    "input_default": {"name": "day"},
                },
            ],
            "links": [],
        }
    )
    schema = graph_input_schema(g, registry)
    assert schema["properties"]["verbose"] == {
        "type": "boolean",
        "title": "verbose",
        "default": False,
    }
    assert schema["properties"]["day"] == {"type": "string", "format": "date", "title": "day"}
    assert schema["required"] == ["day"]


def test_export_with_the_registry_strips_secret_inputs(registry: BlockRegistry) -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    out = dump_agent(g, registry)
    assert out["nodes"][1]["input_default"] == {"name": "openai_key", "secret": True}
    assert "credentials" not in out["nodes"][2]["input_default"]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("credentials", True),
        ("openai_credentials", True),
        ("api_key", True),
        ("X-Api-Key", True),
        ("apiKey", True),
        ("discord_bot_token", True),
        ("Authorization", True),
        ("client_secret", True),
        ("password", True),
        ("max_tokens", False),
        ("prompt", False),
        ("keyword", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_the_public_api_of_the_graph_package() -> None:
    assert sorted(blockyard.graph.__all__) == sorted(
        [
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
    )
    for name in blockyard.graph.__all__:
        assert hasattr(blockyard.graph, name)
