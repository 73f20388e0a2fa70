"""Optional LLM backends, chosen by configuration: any OpenAI-compatible server or Ollama.

Both are LangChain chat models from optional extras (`pip install -e .[openai]` or
`.[ollama]`); nothing here runs unless `llm_provider` is set. Retries are off and a
timeout is always set: a dead server must turn into the extractive answer quickly.
"""

from __future__ import annotations

import os

from index import ConfigError, Settings

PROVIDERS = {"openai": ("langchain_openai", "openai"), "ollama": ("langchain_ollama", "ollama")}


def chat_model(settings: Settings):
    """The configured chat model, or None when no LLM is configured."""
    provider = settings.llm_provider.strip().lower()
    if not provider:
        return None
    if provider not in PROVIDERS:
        raise ConfigError(f"ASSISTANT_LLM_PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider!r}.")
    module, extra = PROVIDERS[provider]
    try:
        __import__(module)
    except ImportError:
        raise ConfigError(f"The {provider} backend needs its extra: pip install -e '.[{extra}]'.") from None
    if not settings.llm_model:
        raise ConfigError("Set ASSISTANT_LLM_MODEL to the chat model to use (for example gpt-4o-mini or llama3.2).")
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "none"  # local servers take any key
        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url or None, api_key=key,
                          temperature=0, timeout=settings.llm_timeout, max_retries=0)
    from langchain_ollama import ChatOllama

    return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url or None, temperature=0,
                      client_kwargs={"timeout": settings.llm_timeout})
