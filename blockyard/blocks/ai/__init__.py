"""AI blocks: language models, structured output, tool calling, knowledge and MCP.

Blocks here never talk to a provider themselves: they go through the ports of
:mod:`blockyard.blocks.ai.port` (``ctx.llm`` for models, ``ctx.knowledge`` for vectors) and
``ctx.tools`` for the nodes linked to a Smart Decision Maker. The implementations live in
``blockyard.integrations.llm`` and ``blockyard.store.knowledge``, built in ``wiring``.
"""
