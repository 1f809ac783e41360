"""Run an example agent here, on the engine's in-memory parts, against a language model.

    python examples/run.py examples/classify_ticket.json -i ticket="I was charged twice"

The model server comes from the ``BLOCKYARD_LLM_*`` settings (see README.md beside this
file): OpenAI with a platform key, or any OpenAI-compatible server such as a local Ollama.
``--model`` swaps the model of every AI node, so one file runs on any of them.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from blockyard.blocks.ai.port import LanguageModels, MemoryKnowledgeStore
from blockyard.blocks.registry import load_registry
from blockyard.cli import parse_inputs
from blockyard.engine.executor import Engine
from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore
from blockyard.engine.outputs import graph_outputs
from blockyard.graph import agent_json, io_schema
from blockyard.graph.validate import ensure_valid
from blockyard.integrations.llm import build_llm_service
from blockyard.settings import Settings

USER = "example-user"


def with_model(data: dict[str, Any], model: str | None) -> dict[str, Any]:
    """The agent with every node that has a ``model`` input switched to ``model``."""
    if model:
        for node in data["nodes"]:
            if "model" in node.get("input_default", {}):
                node["input_default"]["model"] = model
    return data


async def run_example(
    path: Path,
    raw_inputs: list[str],
    *,
    model: str | None = None,
    llm: LanguageModels | None = None,
) -> dict[str, Any]:
    """Run the agent file; its status, outputs and error."""
    registry = load_registry()
    graph = agent_json.load_agent(with_model(json.loads(path.read_text()), model))
    inputs = parse_inputs(raw_inputs, io_schema.graph_input_schema(graph, registry))
    ensure_valid(graph, registry, for_run=True, graph_inputs=inputs.keys())
    service = llm or build_llm_service(Settings())
    store = MemoryRunStore()
    engine = Engine(
        registry,
        store,
        MemoryGraphSource(graph),
        MemoryBus(),
        llm=service,
        knowledge=MemoryKnowledgeStore(),
    )
    try:
        record = await engine.execute(graph, USER, inputs)
        outputs = graph_outputs(graph, await store.list_node_execs(record.id), registry)
    finally:
        await engine.close()
    return {"status": record.status.value, "outputs": outputs, "error": record.error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="an example agent (JSON)")
    parser.add_argument("-i", "--input", action="append", default=[], help="name=value")
    parser.add_argument("--model", help="the model for every AI node, e.g. llama3.2")
    args = parser.parse_args()
    result = asyncio.run(run_example(args.file, args.input, model=args.model))
    print(json.dumps(result, indent=2, default=str))
    sys.exit(0 if result["status"] == "COMPLETED" else 1)


if __name__ == "__main__":
    main()
