"""AutoGPT agent files: reading old and new exports, writing, fresh ids on import."""

import json
import random
from typing import Any

import orjson
import pytest
from graph_fakes import (
    AGENT_EXECUTOR,
    AGENT_INPUT,
    CALCULATOR,
    FIND_IN_DICT,
    STORE_VALUE,
    TEXT_GENERATOR,
    VAULT,
    fake_registry,
    fixture_data,
    fixture_text,
    graph,
    link,
    node,
)

from blockyard.errors import AgentFormatError
from blockyard.graph import (
    LEGACY_BLOCK_IDS,
    BaseGraph,
    Graph,
    Link,
    Node,
    NodePolicy,
    dump_agent,
    load_agent,
    missing_blocks,
    reassign_ids,
    strip_secret_values,
)

FIXTURES = [
    "testing_agent.json",
    "modern_agent.json",
    "legacy_subgraphs.json",
    "with_sub_graphs.json",
]

# --- reading ------------------------------------------------------------------------------


def test_an_older_export_with_extra_keys_reads() -> None:
    g = load_agent(fixture_text("testing_agent.json"))
    assert (g.id, g.version, g.name) == ("4b1c6f1e-7f0d-4a0a-9d43-7a3c1f0b6e21", 1, "Testing agent")
    [calc] = g.nodes
    assert calc.block_id == CALCULATOR
    assert calc.input_default == {"operation": "Add", "a": 5, "b": 2.5, "round_result": False}
    assert calc.metadata == {"position": {"x": 121.25, "y": -42.5}}
    assert g.links == [] and g.sub_graphs == []


def test_a_modern_export_keeps_metadata_and_static_links() -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    assert [n.metadata for n in g.nodes][:3] == [
        {"position": {"x": -512.0, "y": 100.5}, "customized_name": "Topic"},
        {"position": {"x": -512.0, "y": 420.0}},
        {"position": {"x": 0.0, "y": 0.0}, "credentials_optional": False},
    ]
    assert [(lk.sink_name, lk.is_static) for lk in g.links] == [
        ("prompt_values_#_topic", True),
        ("value", False),
    ]
    assert g.nodes[2].input_default["credentials"]["provider"] == "openai"


def test_a_legacy_file_reads_with_its_old_block_ids_remapped() -> None:
    g = load_agent(fixture_text("legacy_subgraphs.json"))
    assert [n.block_id for n in g.nodes] == [STORE_VALUE, FIND_IN_DICT]
    assert g.sub_graphs == []
    assert g.is_active is False and g.version == 12


def test_legacy_subgraphs_holding_graphs_become_sub_graphs() -> None:
    data = fixture_data("with_sub_graphs.json")
    data["subgraphs"] = data.pop("sub_graphs")
    g = load_agent(data)
    assert [s.name for s in g.sub_graphs] == ["Doubler"]
    data["subgraphs"] = {s["id"]: s for s in data["subgraphs"]}
    assert load_agent(data) == g


def test_sub_graphs_read_and_nest_nothing() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    [sub] = g.sub_graphs
    assert type(sub) is BaseGraph
    assert (sub.id, sub.version, len(sub.nodes), len(sub.links)) == (
        "b0000000-0000-4000-8000-00000000000b",
        2,
        3,
        2,
    )


def test_the_legacy_remap_table_has_every_entry_and_targets_real_uuids() -> None:
    assert len(LEGACY_BLOCK_IDS) == 13
    assert LEGACY_BLOCK_IDS["a1b2c3d4-5e6f-7g8h-9i0j-k1l2m3n4o5p6"] == (
        "436c3984-57fd-4b85-8e9a-459b356883bd"
    )
    data = {"nodes": [{"block_id": old} for old in LEGACY_BLOCK_IDS], "links": []}
    assert [n.block_id for n in load_agent(data).nodes] == list(LEGACY_BLOCK_IDS.values())


def test_missing_optional_keys_get_defaults() -> None:
    g = load_agent({"nodes": [{"id": "n", "block_id": CALCULATOR}], "links": []})
    assert (g.version, g.is_active, g.name, g.description) == (1, True, "", "")
    assert g.nodes[0].input_default == {} and g.nodes[0].metadata == {}


def test_nulls_where_defaults_exist_are_accepted() -> None:
    data = {
        "id": "g",
        "name": None,
        "description": None,
        "nodes": [{"id": "n", "block_id": CALCULATOR, "input_default": None, "metadata": None}],
        "links": [],
        "sub_graphs": None,
    }
    g = load_agent(data)
    assert (g.name, g.description, g.nodes[0].input_default) == ("", "", {})


def test_text_bytes_and_the_api_wrapper_all_read() -> None:
    text = fixture_text("modern_agent.json")
    expected = load_agent(text)
    assert load_agent(text.encode()) == expected
    assert load_agent({"graph": json.loads(text), "source": "upload"}) == expected


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        ("[1, 2]", "JSON object, not list"),
        ({"links": []}, "no 'nodes' list"),
        ({"nodes": []}, "no 'links' list"),
        ({"nodes": {}, "links": []}, "'nodes' must be a list"),
        ({"nodes": ["x"], "links": []}, "nodes[0] must be a JSON object"),
        ({"nodes": [{"id": "n"}], "links": []}, "nodes[0].block_id: Field required"),
        (
            {"nodes": [], "links": [{"source_id": "a"}]},
            "links[0].sink_id: Field required",
        ),
        ({"nodes": [], "links": [], "sub_graphs": [{"nodes": []}]}, "sub_graphs[0] has no 'links'"),
        ({"nodes": [], "links": [], "sub_graphs": 3}, "'sub_graphs' must be a list"),
        ({"nodes": [], "links": [], "version": "one"}, "version: Input should be a valid integer"),
    ],
)
def test_malformed_files_raise_a_readable_format_error(data: Any, words: str) -> None:
    with pytest.raises(AgentFormatError) as caught:
        load_agent(data)
    assert words in str(caught.value)


# --- writing ------------------------------------------------------------------------------


def test_the_written_file_has_the_autogpt_shape() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.nodes[0].policy = NodePolicy(max_attempts=3)
    out = dump_agent(g)
    assert list(out) == [
        "id",
        "version",
        "is_active",
        "name",
        "description",
        "nodes",
        "links",
        "sub_graphs",
    ]
    assert list(out["nodes"][0]) == ["id", "block_id", "input_default", "metadata", "policy"]
    assert "policy" not in out["nodes"][1]
    assert out["nodes"][0]["policy"]["max_attempts"] == 3
    assert list(out["links"][0]) == [
        "id",
        "source_id",
        "sink_id",
        "source_name",
        "sink_name",
        "is_static",
    ]
    assert "sub_graphs" not in out["sub_graphs"][0]
    orjson.dumps(out)  # JSON-ready


def test_export_strips_secrets_by_default() -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    g.nodes[2].input_default["extra"] = {
        "headers": {"X-Api-Key": "k", "Accept": "json"},
        "list": [{"password": "p", "user": "me"}],
        "use_token": True,
    }
    out = dump_agent(g)
    llm = out["nodes"][2]["input_default"]
    assert "credentials" not in llm
    assert llm["max_tokens"] == 400  # a count, not a secret
    assert llm["extra"] == {
        "headers": {"Accept": "json"},
        "list": [{"user": "me"}],
        "use_token": True,
    }
    secret_input = out["nodes"][1]["input_default"]
    assert secret_input == {"name": "openai_key", "secret": True}
    assert out["nodes"][0]["input_default"]["value"] == "otters"  # not secret
    assert g.nodes[2].input_default["credentials"]["id"]  # the graph itself is untouched


def test_schema_secret_fields_are_stripped_when_a_registry_is_given() -> None:
    g = graph([node(VAULT, "v", passphrase_text="hunter2", label="x")])
    assert dump_agent(g)["nodes"][0]["input_default"] == {
        "passphrase_text": "hunter2",
        "label": "x",
    }
    assert dump_agent(g, fake_registry())["nodes"][0]["input_default"] == {"label": "x"}


def test_secret_input_values_are_found_by_block_type_with_a_registry() -> None:
    g = graph([node(AGENT_INPUT, "in", name="k", secret=True, value="s")])
    for registry in (None, fake_registry()):
        assert dump_agent(g, registry)["nodes"][0]["input_default"] == {"name": "k", "secret": True}


def test_secrets_in_sub_graphs_are_stripped_too() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.sub_graphs[0].nodes[1].input_default["api_key"] = "k"
    assert "api_key" not in dump_agent(g)["sub_graphs"][0]["nodes"][1]["input_default"]


def test_strip_secrets_false_keeps_everything() -> None:
    g = load_agent(fixture_text("modern_agent.json"))
    out = dump_agent(g, strip_secrets=False)
    assert out["nodes"][2]["input_default"]["credentials"]["title"] == "My OpenAI key"
    assert out["nodes"][1]["input_default"]["value"] == "sk-not-a-real-key"


def test_strip_secret_values_keeps_bools_and_walks_lists() -> None:
    value = {"secret": False, "a": [{"token": "t"}, "x"], "b": {"Password": 1}}
    assert strip_secret_values(value) == {"secret": False, "a": [{}, "x"], "b": {}}


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixtures_round_trip_exactly(name: str) -> None:
    g = load_agent(fixture_text(name))
    assert load_agent(dump_agent(g, strip_secrets=False)) == g
    assert load_agent(orjson.dumps(dump_agent(g, strip_secrets=False))) == g


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(
        ["str", "int", "float", "bool", "null", "list", "dict"][: 5 if depth > 2 else 7]
    )
    if kind == "str":
        return rng.choice(["", "otters", "ünïcødé ✓", "{{x}}", "a\nb", "1e3"])
    if kind == "int":
        return rng.randint(-(2**40), 2**40)
    if kind == "float":
        return rng.uniform(-1e6, 1e6)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {
        f"k{i}_#_{rng.randint(0, 9)}": random_json(rng, depth + 1) for i in range(rng.randint(0, 3))
    }


def random_graph(rng: random.Random, graph_id: str | None = None) -> BaseGraph:
    nodes = [
        Node(
            block_id=rng.choice([CALCULATOR, STORE_VALUE, TEXT_GENERATOR, "unknown-block"]),
            input_default={f"in{i}": random_json(rng) for i in range(rng.randint(0, 4))},
            metadata={"position": {"x": rng.uniform(-1e4, 1e4), "y": rng.randint(-9, 9)}},
            policy=NodePolicy(max_attempts=rng.randint(1, 5), timeout_seconds=2.5)
            if rng.random() < 0.3
            else None,
        )
        for _ in range(rng.randint(0, 6))
    ]
    links = [
        Link(
            source_id=rng.choice(nodes).id,
            sink_id=rng.choice(nodes).id,
            source_name=rng.choice(["result", "output", "parts_#_a"]),
            sink_name=rng.choice(["a", "input", "items_$_1"]),
            is_static=rng.random() < 0.5,
        )
        for _ in range(rng.randint(0, 8) if nodes else 0)
    ]
    return BaseGraph(
        id=graph_id
        or rng.choice(["g", "5e7a2c10-3d4b-4c5d-8e6f-708192a3b4c5"]) + str(rng.random()),
        version=rng.randint(1, 300),
        is_active=rng.random() < 0.5,
        name=rng.choice(["", "My agent", "Ägent ✓"]),
        description=rng.choice(["", "does things"]),
        nodes=nodes,
        links=links,
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_round_trip_exactly(seed: int) -> None:
    rng = random.Random(seed)
    main = random_graph(rng)
    subs = [random_graph(rng) for _ in range(rng.randint(0, 2))]
    g = Graph(**dict(main), sub_graphs=subs)
    assert load_agent(dump_agent(g, strip_secrets=False)) == g
    assert load_agent(json.dumps(dump_agent(g, strip_secrets=False))) == g


# --- fresh ids ------------------------------------------------------------------------------


def all_ids(g: Graph) -> set[str]:
    graphs = [g, *g.sub_graphs]
    return (
        {x.id for x in graphs}
        | {n.id for s in graphs for n in s.nodes}
        | {lk.id for s in graphs for lk in s.links}
    )


def test_reassign_ids_gives_fresh_ids_and_rewires_everything() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    fresh = reassign_ids(g, user_id="importer")
    assert not all_ids(g) & all_ids(fresh)
    assert len(all_ids(fresh)) == len(all_ids(g))
    for old, new in zip([g, *g.sub_graphs], [fresh, *fresh.sub_graphs], strict=True):
        position = {n.id: i for i, n in enumerate(new.nodes)}
        old_position = {n.id: i for i, n in enumerate(old.nodes)}
        assert [(position[lk.source_id], position[lk.sink_id]) for lk in new.links] == [
            (old_position[lk.source_id], old_position[lk.sink_id]) for lk in old.links
        ]
    [sub] = fresh.sub_graphs
    executors = [n for n in fresh.nodes if n.block_id == AGENT_EXECUTOR]
    assert [n.input_default["graph_id"] for n in executors] == [sub.id, sub.id]
    assert [n.input_default["user_id"] for n in executors] == ["importer", "importer"]
    assert fresh.user_id == "importer"
    assert g.nodes[1].input_default["user_id"] == "exporter-user"  # the original is untouched


def test_reassign_ids_keeps_references_to_graphs_outside_the_file() -> None:
    g = graph([node(AGENT_EXECUTOR, "x", graph_id="saved-elsewhere", user_id="u")])
    fresh = reassign_ids(g)
    assert fresh.nodes[0].input_default == {"graph_id": "saved-elsewhere", "user_id": "u"}


def test_reassign_ids_keeps_dangling_link_ends() -> None:
    g = graph([node(CALCULATOR, "a")], [link("a", "result", "nowhere", "a")])
    fresh = reassign_ids(g)
    assert fresh.links[0].sink_id == "nowhere"
    assert fresh.links[0].source_id == fresh.nodes[0].id != "a"


# --- missing blocks -------------------------------------------------------------------------


def test_missing_blocks_lists_every_node_whose_block_is_absent() -> None:
    g = load_agent(fixture_text("with_sub_graphs.json"))
    g.sub_graphs[0].nodes[1].block_id = "not-here"
    g.nodes.append(node("also-not-here", "extra"))
    assert missing_blocks(g, fake_registry()) == [
        {"node_id": "extra", "block_id": "also-not-here"},
        {"node_id": "b1000000-0000-4000-8000-000000000002", "block_id": "not-here"},
    ]
    assert missing_blocks(load_agent(fixture_text("modern_agent.json")), fake_registry()) == []
