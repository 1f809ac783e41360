"""Smart Decision Maker: a language model that uses the nodes linked to it as tools.

Every node linked from one of this block's ``tools_^_{node_id}_~_{field}`` pins (AutoGPT's
format) is a tool: its linked fields are the tool's parameters, their JSON Schema taken
from the node's block (or, for an Agent Executor node, from the sub-agent's inputs). The
engine hands them over as ``ctx.tools``.

- **Agent mode** (``agent_mode_max_iterations`` not 0): the block calls the tools itself.
  Each call runs the tool node once, as a node execution shown in the run; the result (or
  the error, including arguments that fail the tool's schema) goes back to the model, and
  the loop goes on until the model answers without calling a tool, or the step limit is
  reached (-1: up to :data:`MAX_AGENT_STEPS`). Each step is also streamed on
  ``conversations``.
- **Traditional mode** (0, AutoGPT's default): one decision; the chosen tool's arguments go
  out on the tool pins (so the graph runs the tool node), the conversation on
  ``conversations``, and a tool's result comes back through ``last_tool_output``.
"""

import json
from typing import Any

import jsonschema

from blockyard.blocks.ai.common import (
    api_key,
    check_fits,
    complete,
    conversation,
    credentials_field,
    fill_template,
    max_tokens_field,
    model_field,
    need_llm,
    ollama_host_field,
    prompt_record,
)
from blockyard.blocks.ai.port import ChatMessage, ChatRequest, ChatResponse, ToolCall, ToolSpec
from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext, ToolInfo
from blockyard.blocks.credentials import CredentialsMeta
from blockyard.errors import BlockExecutionError

MAX_AGENT_STEPS = 50
MAX_RESULT_CHARS = 20_000
"""A tool result longer than this is cut before it goes back to the model."""
TOOL_SEP, FIELD_SEP = "_^_", "_~_"
DEFAULT_SYSTEM = (
    "You are an assistant that can call tools. Call a tool when it helps you answer; "
    "when you know the answer, reply with it and call no tool."
)


class SmartDecisionMakerBlock(Block):
    id = "3b191d9f-356f-482d-8238-ba04b6d18381"
    description = (
        "A language model that uses the blocks and agents linked to its tools pin as tools: "
        "it calls them, reads their results and answers."
    )
    categories = frozenset({BlockCategory.AI})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        prompt: str = SchemaField(description="The task; {{name}} takes prompt_values[name].")
        model: str = model_field()
        credentials: CredentialsMeta | None = credentials_field()
        multiple_tool_calls: bool = SchemaField(
            False, description="Let the model call several tools at once."
        )
        sys_prompt: str = SchemaField("", description="Instructions the model follows.")
        conversation_history: list[Any] = SchemaField(
            default_factory=list, description="Earlier messages: [{role, content}]."
        )
        last_tool_output: Any = SchemaField(
            None, description="Traditional mode: the result of the tool called last."
        )
        retry: int = SchemaField(
            3, ge=1, le=10, description="Traditional mode: attempts until a valid tool call."
        )
        prompt_values: dict[str, Any] = SchemaField(
            default_factory=dict, description="Values for the prompt's placeholders."
        )
        max_tokens: int | None = max_tokens_field()
        ollama_host: str = ollama_host_field()
        agent_mode_max_iterations: int = SchemaField(
            0,
            ge=-1,
            description="0: decide once and send the call out on the tool pins; N: call the "
            f"tools itself for up to N steps; -1: until it answers (at most {MAX_AGENT_STEPS}).",
        )

    class Output(BlockSchemaOutput):
        tools: Any = SchemaField(description="Tool arguments, on pins tools_^_{node}_~_{field}.")
        finished: str = SchemaField(description="The answer, when no tool is needed any more.")
        conversations: list[Any] = SchemaField(description="The whole conversation.")

    test_input = [{"prompt": "What is the weather?"}]
    test_output = [("error", "This server has no language model service configured")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            messages = self._start(input_data, ctx)
            tools = ctx.tools.list_tools() if ctx.tools is not None else []
            if input_data.agent_mode_max_iterations == 0:
                async for pin, value in self._decide_once(input_data, ctx, messages, tools):
                    yield pin, value
                return
            loop = AgentLoop(input_data, ctx, messages, tools)
            answer = await loop.run()
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        if answer is None:
            yield "conversations", prompt_record(loop.messages)
            yield ERROR_PIN, f"No answer after {loop.limit} steps (agent_mode_max_iterations)"
            return
        yield "finished", answer
        yield "conversations", prompt_record(loop.messages)

    def _start(self, data: Input, ctx: BlockContext) -> list[ChatMessage]:
        """System prompt, history, the pending call's result, then the task (once)."""
        need_llm(ctx)
        system = fill_template(data.sys_prompt, data.prompt_values) or DEFAULT_SYSTEM
        messages = conversation(system, data.conversation_history, "")
        if data.last_tool_output is not None:
            messages = answer_pending_call(messages, data.last_tool_output)
        prompt = fill_template(data.prompt, data.prompt_values)
        if prompt and not any(m.role == "user" and m.content == prompt for m in messages):
            messages.append(ChatMessage("user", prompt))
        return messages

    async def _decide_once(
        self, data: Input, ctx: BlockContext, messages: list[ChatMessage], tools: list[ToolInfo]
    ) -> BlockOutput:
        by_name = {t.name: t for t in tools}
        for _ in range(data.retry):
            response = await ask(data, ctx, messages, tools)
            calls = response.tool_calls if data.multiple_tool_calls else response.tool_calls[:1]
            messages = [*messages, ChatMessage("assistant", response.text, calls)]
            if not calls:
                yield "finished", response.text
                yield "conversations", prompt_record(messages)
                return
            problems = [(c, check_call(c, by_name)[1]) for c in calls]
            if not any(p for _, p in problems):
                for call in calls:
                    for pin, value in tool_pins(by_name[call.name], call.parsed_arguments()):
                        yield pin, value
                yield "conversations", prompt_record(messages)
                return
            messages += [
                ChatMessage("tool", p or "not run", tool_call_id=c.id) for c, p in problems
            ]
        raise BlockExecutionError(f"The model made no valid tool call in {data.retry} attempts")


class AgentLoop:
    """The agent-mode conversation: ask, run the tools asked for, repeat."""

    def __init__(
        self,
        data: SmartDecisionMakerBlock.Input,
        ctx: BlockContext,
        messages: list[ChatMessage],
        tools: list[ToolInfo],
    ) -> None:
        self.data, self.ctx, self.messages, self.tools = data, ctx, messages, tools
        self.by_name = {t.name: t for t in tools}
        limit = data.agent_mode_max_iterations
        self.limit = MAX_AGENT_STEPS if limit < 0 else min(limit, MAX_AGENT_STEPS)

    async def run(self) -> str | None:
        """The answer, or None when the step limit came first."""
        for step in range(1, self.limit + 1):
            response = await ask(self.data, self.ctx, self.messages, self.tools, stream=True)
            calls = response.tool_calls
            if not self.data.multiple_tool_calls:
                calls = calls[:1]
            self.messages.append(ChatMessage("assistant", response.text, calls))
            if not calls:
                await self.ctx.stream("conversations", {"step": step, "answer": response.text})
                return response.text
            for call in calls:
                result = await self.call(call)
                self.messages.append(ChatMessage("tool", result, tool_call_id=call.id))
                shown = {"step": step, "tool": call.name, "arguments": call.arguments}
                await self.ctx.stream("conversations", {**shown, "result": result})
        return None

    async def call(self, call: ToolCall) -> str:
        """Run one tool call; what the model reads back (a result, or what went wrong)."""
        tool, problem = check_call(call, self.by_name)
        if tool is None or self.ctx.tools is None:
            return problem
        result = await self.ctx.tools.call_tool(tool.node_id, call.parsed_arguments())
        if result.error is not None:
            return f"Error: the tool failed: {result.error}"
        outputs = {
            pin: values[0] if len(values) == 1 else values
            for pin, values in result.outputs.items()
            if pin != ERROR_PIN
        }
        text = json.dumps(outputs, default=str, ensure_ascii=False)
        return text if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS] + " [cut]"


async def ask(
    data: SmartDecisionMakerBlock.Input,
    ctx: BlockContext,
    messages: list[ChatMessage],
    tools: list[ToolInfo],
    *,
    stream: bool = False,
) -> ChatResponse:
    check_fits(need_llm(ctx).model(data.model), messages, data.max_tokens)
    request = ChatRequest(
        data.model,
        messages,
        data.max_tokens,
        tools=[ToolSpec(t.name, t.description, t.parameters) for t in tools],
        api_key=api_key(ctx),
    )
    return await complete(ctx, request, "finished" if stream else None)


def check_call(call: ToolCall, by_name: dict[str, ToolInfo]) -> tuple[ToolInfo | None, str]:
    """The tool a call names when its arguments fit the tool's schema; else why not."""
    tool = by_name.get(call.name)
    if tool is None:
        known = ", ".join(sorted(by_name)) or "none"
        return None, f"Error: there is no tool named {call.name!r}; the tools are: {known}"
    try:
        arguments = call.parsed_arguments()
    except ValueError as exc:
        return None, f"Error: the arguments are not a JSON object ({exc}); call it again"
    errors = list(jsonschema.Draft202012Validator(tool.parameters).iter_errors(arguments))
    if errors:
        detail = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or 'arguments'}: {e.message}"
            for e in errors
        )
        return None, f"Error: the arguments do not fit the tool's parameters: {detail}"
    return tool, ""


def tool_pins(tool: ToolInfo, arguments: dict[str, Any]) -> list[tuple[str, Any]]:
    """The tool pins of one call: every parameter (None when the model left it out), so
    the tool node gets a value on each linked pin and runs."""
    prefix = f"tools{TOOL_SEP}{tool.node_id}{FIELD_SEP}"
    if tool.arguments_field:
        return [(prefix + tool.arguments_field, arguments)]
    names = list(tool.parameters.get("properties") or {})
    return [(prefix + n, arguments.get(n)) for n in names]


def answer_pending_call(messages: list[ChatMessage], output: Any) -> list[ChatMessage]:
    """Traditional mode: the history's last tool call gets ``output`` as its result."""
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    for message in reversed(messages):
        pending = [c for c in message.tool_calls if c.id not in answered]
        if pending:
            text = output if isinstance(output, str) else json.dumps(output, default=str)
            results = [ChatMessage("tool", text, tool_call_id=c.id) for c in pending[:1]]
            results += [ChatMessage("tool", "not run", tool_call_id=c.id) for c in pending[1:]]
            return [*messages, *results]
        if message.role == "assistant":
            break
    return messages
