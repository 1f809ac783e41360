"""Graph validation against block schemas: every problem, per node, and fast."""

from typing import Any

import pytest
from graph_fakes import (
    AGENT_EXECUTOR,
    AGENT_INPUT,
    AGENT_OUTPUT,
    CALCULATOR,
    COMBINE_TEXTS,
    FILL_TEMPLATE,
    FIND_IN_DICT,
    NUMBER_INPUT,
    SHORT_TEXT_INPUT,
    STORE_VALUE,
    TEXT_GENERATOR,
    TEXT_SPLIT,
    calculator_chain,
    fake_registry,
    fixture_text,
    graph,
    link,
    node,
)

from blockyard.errors import GraphValidationError
from blockyard.graph import (
    BaseGraph,
    Graph,
    Problem,
    ensure_valid,
    load_agent,
    normalise,
    validate_graph,
)
from blockyard.graph.pin_types import compatible, schema_kinds

REGISTRY = fake_registry()


def problems_of(g: Graph, **kw: Any) -> set[tuple[str, str, str]]:
    """(node_id, field, severity) of every problem, for compact assertions."""
    return {(p.node_id, p.field, p.severity) for p in validate_graph(g, REGISTRY, **kw)}


def calc(node_id: str, **settings: Any) -> Any:
    return node(CALCULATOR, node_id, **{"operation": "Add", "a": 1, "b": 2, **settings})


# --- fixtures and whole graphs ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["testing_agent.json", "modern_agent.json", "with_sub_graphs.json"]
)
def test_the_golden_fixtures_are_valid(name: str) -> None:
    assert validate_graph(load_agent(fixture_text(name)), REGISTRY) == []


def test_the_legacy_fixture_is_valid_once_its_block_ids_are_remapped() -> None:
    assert validate_graph(load_agent(fixture_text("legacy_subgraphs.json")), REGISTRY) == []


def test_every_problem_is_reported_not_just_the_first() -> None:
    g = graph(
        [
            node("00000000-0000-4000-8000-00000000dead", "ghost"),
            node(CALCULATOR, "c1", operation="Add"),  # a and b missing
            calc("c2"),
        ],
        [
            link("c2", "nope", "c1", "a"),  # unknown source pin
            link("c2", "result", "c1", "zzz"),  # unknown sink pin
            link("c2", "result", "missing-node", "a"),  # unknown sink node
        ],
    )
    assert problems_of(g) == {
        ("ghost", "block_id", "error"),
        ("c2", "nope", "error"),
        ("c1", "zzz", "error"),
        ("c2", "result", "error"),
        ("c1", "b", "error"),
    }


def test_a_problem_names_its_node_field_and_message() -> None:
    g = graph([node("00000000-0000-4000-8000-00000000dead", "n1")])
    [problem] = validate_graph(g, REGISTRY)
    assert problem.as_dict() == {
        "node_id": "n1",
        "field": "block_id",
        "message": "Unknown block 00000000-0000-4000-8000-00000000dead",
        "severity": "error",
    }


def test_duplicate_node_ids_are_reported() -> None:
    g = graph([calc("same"), calc("same")])
    assert problems_of(g) == {("same", "id", "error")}


def test_cycles_are_allowed() -> None:
    g = graph(
        [calc("a", a=None), calc("b", a=None)],
        [link("a", "result", "b", "a"), link("b", "result", "a", "a")],
    )
    assert validate_graph(g, REGISTRY) == []


# --- links to unknown nodes and pins --------------------------------------------------------


def test_links_to_or_from_unknown_nodes_are_reported_on_the_known_end() -> None:
    g = graph(
        [calc("c1")],
        [link("ghost", "result", "c1", "a"), link("c1", "result", "ghost2", "a")],
    )
    found = validate_graph(g, REGISTRY)
    assert {(p.node_id, p.field) for p in found} == {("c1", "a"), ("c1", "result")}
    assert any("ghost2" in p.message for p in found)


def test_a_link_between_two_unknown_nodes_is_still_reported() -> None:
    g = graph([], [link("x", "out", "y", "in")])
    assert len(validate_graph(g, REGISTRY)) == 2


@pytest.mark.parametrize(
    ("source", "source_pin", "sink", "sink_pin"),
    [
        ("calc", "result", "tpl", "values_#_anything"),
        ("calc", "result", "combine", "input_$_0"),
        ("tpl", "parts_#_a", "calc2", "a"),
        ("calc", "error", "combine", "delimiter"),
        ("calc", "result", "store", "input"),
    ],
)
def test_dynamic_pins_and_the_error_pin_are_known(
    source: str, source_pin: str, sink: str, sink_pin: str
) -> None:
    g = graph(
        [
            calc("calc"),
            calc("calc2"),
            node(FILL_TEMPLATE, "tpl", values={}, format="x"),
            node(COMBINE_TEXTS, "combine", input=[]),
            node(STORE_VALUE, "store", input=0),
        ],
        [link(source, source_pin, sink, sink_pin)],
    )
    assert validate_graph(g, REGISTRY) == []


def test_input_blocks_have_no_error_pin() -> None:
    g = graph(
        [node(AGENT_INPUT, "in", name="x"), node(STORE_VALUE, "s")],
        [link("in", "error", "s", "input")],
    )
    assert problems_of(g) == {("in", "error", "error")}


def test_tool_routing_pins_belong_to_their_base_field() -> None:
    g = graph(
        [node(FILL_TEMPLATE, "tpl", values={}, format="x"), node(STORE_VALUE, "s")],
        [link("tpl", "parts_^_abc_~_query", "s", "input")],
    )
    assert validate_graph(g, REGISTRY) == []


# --- required inputs ----------------------------------------------------------------------


def test_required_inputs_may_be_set_or_linked() -> None:
    g = graph(
        [calc("source"), node(CALCULATOR, "sink", operation="Add", b=None)],
        [link("source", "result", "sink", "a")],
    )
    # b is None: a null default does not count as a value
    assert problems_of(g) == {("sink", "b", "error")}


def test_a_dynamic_link_fills_its_base_field() -> None:
    g = graph(
        [node(AGENT_INPUT, "in", name="x"), node(FILL_TEMPLATE, "tpl", format="{{x}}")],
        [link("in", "result", "tpl", "values_#_x")],
    )
    assert validate_graph(g, REGISTRY) == []


def test_credentials_are_not_required_in_the_graph() -> None:
    g = graph([node(TEXT_GENERATOR, "llm", prompt="hi")])
    assert validate_graph(g, REGISTRY) == []


def test_a_dangling_link_does_not_also_report_the_input_as_missing() -> None:
    g = graph([node(CALCULATOR, "c", operation="Add", b=1)], [link("gone", "result", "c", "a")])
    assert problems_of(g) == {("c", "a", "error")}
    assert "not in the graph" in validate_graph(g, REGISTRY)[0].message


# --- running: graph inputs ------------------------------------------------------------------


def test_for_run_an_input_node_needs_a_run_input_or_a_default() -> None:
    g = graph(
        [
            node(SHORT_TEXT_INPUT, "given", name="topic"),
            node(SHORT_TEXT_INPUT, "defaulted", name="tone", value="dry"),
            node(SHORT_TEXT_INPUT, "missing", name="length"),
        ]
    )
    assert validate_graph(g, REGISTRY) == []
    found = validate_graph(g, REGISTRY, for_run=True, graph_inputs=["topic"])
    assert [(p.node_id, p.field) for p in found] == [("missing", "value")]
    assert "'length'" in found[0].message


def test_sub_graph_inputs_come_from_the_parent_not_the_run() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    found = validate_graph(g, REGISTRY, for_run=True, graph_inputs=["n"])
    assert found == []


# --- types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "pin", "sink_block", "sink_pin", "ok"),
    [
        ("split", "texts", CALCULATOR, "a", False),  # a list into a number
        ("split", "texts", COMBINE_TEXTS, "input", True),  # list into list
        ("split", "texts", STORE_VALUE, "input", True),  # anything into any
        ("split", "texts", TEXT_SPLIT, "text", True),  # a list renders as text
        ("calc", "result", TEXT_SPLIT, "text", True),  # number into string
        ("split", "texts_$_0", CALCULATOR, "a", True),  # a string item into a number
        ("int", "result", CALCULATOR, "a", True),  # integer into number
        ("calc", "result", COMBINE_TEXTS, "input", False),  # a number into a list
        ("tpl", "parts", COMBINE_TEXTS, "input", False),  # a dict into a list
        ("tpl", "parts_#_k", CALCULATOR, "b", True),  # a dict's int value into a number
        ("tpl", "parts", FILL_TEMPLATE, "values", True),  # dict into dict
        ("calc", "result", COMBINE_TEXTS, "input_$_3", True),  # number into a str item
        ("split", "texts", FILL_TEMPLATE, "values_#_k", True),  # into an Any dict value
    ],
)
def test_link_types_are_checked_coarsely(
    source: str, pin: str, sink_block: str, sink_pin: str, ok: bool
) -> None:
    sink_settings = {
        CALCULATOR: {"operation": "Add", "a": 1, "b": 1},
        COMBINE_TEXTS: {"input": []},
        TEXT_SPLIT: {"text": "", "delimiter": ","},
        FILL_TEMPLATE: {"values": {}, "format": ""},
        STORE_VALUE: {"input": 1},
    }[sink_block]
    g = graph(
        [
            node(TEXT_SPLIT, "split", text="a,b", delimiter=","),
            calc("calc"),
            node(NUMBER_INPUT, "int", name="n", value=1),
            node(FILL_TEMPLATE, "tpl", values={}, format=""),
            node(sink_block, "sink", **sink_settings),
        ],
        [link(source, pin, "sink", sink_pin)],
    )
    found = problems_of(g)
    assert found == (set() if ok else {("sink", sink_pin, "error")})


def test_a_type_problem_says_what_meets_what() -> None:
    g = graph(
        [node(TEXT_SPLIT, "split", text="", delimiter=","), calc("c")],
        [link("split", "texts", "c", "a")],
    )
    [problem] = validate_graph(g, REGISTRY)
    assert problem.message == "Cannot link FakeTextSplit.texts (array) to input 'a' (number)"


@pytest.mark.parametrize(
    ("schema", "kinds"),
    [
        ({"type": "integer"}, {"number"}),
        ({}, None),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, {"string"}),
        ({"type": "null"}, None),
        ({"$ref": "#/$defs/E"}, {"string"}),
        ({"enum": [1, "a", True]}, {"number", "string", "boolean"}),
        ({"const": 3}, {"number"}),
        ({"anyOf": [{"type": "array"}, {}]}, None),
        ({"allOf": [{"$ref": "#/$defs/M"}]}, {"object"}),
        ({"type": ["string", "null"]}, {"string"}),
    ],
)
def test_schema_kinds(schema: dict[str, Any], kinds: set[str] | None) -> None:
    defs = {"E": {"enum": ["a", "b"], "type": "string"}, "M": {"type": "object"}}
    expected = frozenset(kinds) if kinds is not None else None
    assert schema_kinds(schema, defs) == expected


def test_compatibility_table() -> None:
    def kinds(*names: str) -> frozenset[str]:
        return frozenset(names)

    assert compatible(None, kinds("number"))
    assert compatible(kinds("array"), None)
    assert compatible(kinds("string"), kinds("number"))
    assert compatible(kinds("number"), kinds("boolean"))
    assert not compatible(kinds("array"), kinds("number"))
    assert not compatible(kinds("object"), kinds("array"))
    assert not compatible(kinds("number"), kinds("object"))
    assert compatible(kinds("array", "number"), kinds("number"))  # one way can match


# --- several links into one pin -------------------------------------------------------------


def test_two_nodes_feeding_one_plain_pin_is_a_warning() -> None:
    g = graph(
        [calc("x"), calc("y"), node(STORE_VALUE, "s")],
        [link("x", "result", "s", "input"), link("y", "result", "s", "input")],
    )
    [problem] = validate_graph(g, REGISTRY)
    assert (problem.node_id, problem.field, problem.severity) == ("s", "input", "warning")
    assert ensure_valid(g, REGISTRY) == [problem]


def test_branches_of_one_node_into_one_pin_are_not_ambiguous() -> None:
    g = graph(
        [node(FIND_IN_DICT, "find", input={}, key="k"), node(STORE_VALUE, "s")],
        [link("find", "output", "s", "input"), link("find", "missing", "s", "input")],
    )
    assert validate_graph(g, REGISTRY) == []


def test_several_links_into_a_list_pin_are_fine() -> None:
    g = graph(
        [
            node(TEXT_SPLIT, "x", text="a", delimiter=","),
            node(TEXT_SPLIT, "y", text="b", delimiter=","),
            node(COMBINE_TEXTS, "join"),
        ],
        [link("x", "texts", "join", "input"), link("y", "texts", "join", "input")],
    )
    assert validate_graph(g, REGISTRY) == []


# --- agent executor nodes -------------------------------------------------------------------


def executor_graph(sink_pin: str, source_pin: str, **settings: Any) -> Graph:
    return graph(
        [
            node(NUMBER_INPUT, "in", name="n"),
            node(AGENT_EXECUTOR, "run", user_id="u", graph_id="sub", graph_version=1, **settings),
            node(AGENT_OUTPUT, "out", name="o"),
        ],
        [link("in", "result", "run", sink_pin), link("run", source_pin, "out", "value")],
    )


def test_executor_pins_come_from_the_sub_graph_schemas() -> None:
    schemas = {
        "input_schema": {"properties": {"x": {}}},
        "output_schema": {"properties": {"y": {}}},
    }
    assert validate_graph(executor_graph("x", "y", **schemas), REGISTRY) == []
    assert problems_of(executor_graph("nope", "y", **schemas)) == {("run", "nope", "error")}
    assert problems_of(executor_graph("x", "nah", **schemas)) == {("run", "nah", "error")}


def test_executor_pins_are_open_when_nothing_describes_the_sub_graph() -> None:
    assert validate_graph(executor_graph("anything", "whatever"), REGISTRY) == []


def test_executor_pins_come_from_the_bundled_sub_graph() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.links[2].source_name = "tripled"  # the second executor node has no schemas
    assert problems_of(g) == {("a1000000-0000-4000-8000-000000000003", "tripled", "error")}


def test_problems_inside_sub_graphs_are_reported() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.sub_graphs[0].nodes[1].input_default.pop("operation")
    assert problems_of(g) == {("b1000000-0000-4000-8000-000000000002", "operation", "error")}


# --- ensure_valid and normalise -------------------------------------------------------------


def test_ensure_valid_raises_with_every_problem() -> None:
    g = graph([node(CALCULATOR, "c")], name="Broken")
    with pytest.raises(GraphValidationError) as caught:
        ensure_valid(g, REGISTRY)
    assert {p["field"] for p in caught.value.problems} == {"operation", "a", "b"}
    assert "Broken" in caught.value.message and "2 more" in caught.value.message
    assert caught.value.context == {"graph_id": g.id}


def test_normalise_makes_links_from_static_blocks_static() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    for each in (g, *g.sub_graphs):
        for each_link in each.links:
            each_link.is_static = False
    fixed = normalise(g, REGISTRY)
    assert [lk.is_static for lk in fixed.links] == [True, False, False]
    assert [lk.is_static for lk in fixed.sub_graphs[0].links] == [True, False]
    assert not any(lk.is_static for lk in g.links)  # the original is untouched


def test_normalise_keeps_the_type_it_was_given() -> None:
    sub = BaseGraph(nodes=[node(STORE_VALUE, "s", input=1), calc("c", a=None)])
    sub.links.append(link("s", "output", "c", "a"))
    fixed = normalise(sub, REGISTRY)
    assert type(fixed) is BaseGraph and fixed.links[0].is_static


# --- size -----------------------------------------------------------------------------------


def test_a_ten_thousand_node_chain_validates() -> None:
    """Speed is measured in benchmarks; this proves the big case is correct and linear."""
    g = calculator_chain(10_000)
    assert validate_graph(g, REGISTRY) == []
    g.links[5_000].sink_name = "b_$_0"
    g.nodes[7_000].input_default.pop("b")
    found = validate_graph(g, REGISTRY)
    assert {(p.node_id, p.field) for p in found} == {("n5001", "a"), ("n7000", "b")}
    assert isinstance(found[0], Problem)
