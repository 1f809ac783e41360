"""The LLM provider layer: the :class:`~blockyard.blocks.ai.port.LanguageModels` port over the
official ``openai`` and ``anthropic`` SDKs.

- :mod:`.catalogue`: providers (OpenAI, Anthropic, and OpenAI-compatible servers: Ollama,
  Groq, OpenRouter, vLLM...) and models (context window, prices), extended from settings.
- :mod:`.openai_chat` and :mod:`.anthropic_chat`: one request through each SDK, plain or
  streamed, turned into the port's records.
- :mod:`.service`: :class:`LlmService`, which picks the provider, the key (the user's, or
  the operator's platform key), and turns SDK failures into Blockyard errors.
"""

from blockyard.integrations.llm.catalogue import ModelCatalogue, Provider
from blockyard.integrations.llm.service import LlmService, build_llm_service

__all__ = ["LlmService", "ModelCatalogue", "Provider", "build_llm_service"]
