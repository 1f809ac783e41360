"""An agent's input and output schemas, read off its input and output nodes."""

from graph_fakes import (
    AGENT_INPUT,
    AGENT_OUTPUT,
    CALCULATOR,
    DROPDOWN_INPUT,
    NUMBER_INPUT,
    SHORT_TEXT_INPUT,
    fake_registry,
    fixture_text,
    graph,
    node,
)

from blockyard.graph import (
    graph_input_schema,
    graph_output_schema,
    input_nodes,
    load_agent,
    output_nodes,
)

REGISTRY = fake_registry()


def test_input_and_output_nodes_are_found_by_block_type() -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    assert [n.id[:8] for n in input_nodes(g, REGISTRY)] == ["11111111", "22222222"]
    assert [n.id[:8] for n in output_nodes(g, REGISTRY)] == ["44444444"]


def test_nodes_of_unknown_blocks_are_neither_inputs_nor_outputs() -> None:
    g = graph([node("not-a-block", "x", name="ghost")])
    assert input_nodes(g, REGISTRY) == [] and output_nodes(g, REGISTRY) == []
    assert graph_input_schema(g, REGISTRY)["properties"] == {}


def test_the_modern_fixture_input_schema() -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    assert graph_input_schema(g, REGISTRY) == {
        "type": "object",
        "properties": {
            "topic": {
                "type": "string",
                "title": "Topic",
                "description": "What to write about",
                "default": "otters",
            },
            "openai_key": {"title": "openai_key", "secret": True},
        },
        "required": [],
    }


def test_inputs_without_a_default_are_required_and_typed_by_their_block() -> None:
    g = graph(
        [
            node(NUMBER_INPUT, "n", name="count", description="How many"),
            node(AGENT_INPUT, "a", name="anything", advanced=True, value=None),
            node(SHORT_TEXT_INPUT, "s", name="tone", value=""),
            node(CALCULATOR, "c", operation="Add", a=1, b=2),
        ]
    )
    schema = graph_input_schema(g, REGISTRY)
    assert schema["properties"] == {
        "count": {"type": "integer", "title": "count", "description": "How many"},
        "anything": {"title": "anything", "advanced": True},
        "tone": {"type": "string", "title": "tone", "default": ""},
    }
    assert schema["required"] == ["count", "anything"]


def test_a_dropdown_lists_its_options() -> None:
    g = graph([node(DROPDOWN_INPUT, "d", name="size", placeholder_values=["S", "M"], value="M")])
    prop = graph_input_schema(g, REGISTRY)["properties"]["size"]
    assert prop == {"type": "string", "title": "size", "default": "M", "enum": ["S", "M"]}


def test_placeholders_of_other_inputs_are_not_options() -> None:
    g = graph([node(AGENT_INPUT, "a", name="q", placeholder_values=["e.g. otters"])])
    assert "enum" not in graph_input_schema(g, REGISTRY)["properties"]["q"]


def test_nameless_input_nodes_are_skipped() -> None:
    g = graph([node(AGENT_INPUT, "a", value=1), node(AGENT_INPUT, "b", name="")])
    assert graph_input_schema(g, REGISTRY) == {"type": "object", "properties": {}, "required": []}


def test_the_same_name_twice_is_one_property_required_only_if_no_node_has_a_default() -> None:
    g = graph([node(AGENT_INPUT, "a", name="x"), node(AGENT_INPUT, "b", name="x", value=3)])
    schema = graph_input_schema(g, REGISTRY)
    assert schema["properties"]["x"]["default"] == 3 and schema["required"] == []


def test_the_output_schema_has_one_property_per_named_output() -> None:
    g = graph(
        [
            node(AGENT_OUTPUT, "o1", name="summary", title="Summary", description="Short"),
            node(AGENT_OUTPUT, "o2", name="raw"),
            node(AGENT_OUTPUT, "o3"),
        ]
    )
    assert graph_output_schema(g, REGISTRY) == {
        "type": "object",
        "properties": {
            "summary": {"title": "Summary", "description": "Short"},
            "raw": {"title": "raw"},
        },
        "required": [],
    }
