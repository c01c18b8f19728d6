"""The local llama.cpp server speaks the OpenAI protocol to the clients the copilot uses.

Assertions are on protocol and shape, never wording: the 0.5B model's answers vary, and
under CPU contention it can fall to 1-2 tokens/s, hence the long time-outs and few tokens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_openai import ChatOpenAI
from openai import OpenAI
from pydantic import SecretStr

from evals import local_llm as local_llm_module
from evals.local_llm import LocalLlmError, LocalLlmServer, model_path

TIMEOUT_S = 180.0  # per request: 16 tokens at 1 token/s, a cold prompt, and slack
MAX_TOKENS = 16
# Asks for a long answer, so the reply reliably runs to several tokens within MAX_TOKENS.
PROMPT = "Count from one to twenty, separated by commas."


def _client(server: LocalLlmServer) -> OpenAI:
    # No retries: a retried request would hide a server that failed the first time.
    return OpenAI(base_url=server.base_url, api_key="none", timeout=TIMEOUT_S, max_retries=0)


def _chat_model(server: LocalLlmServer) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=server.base_url,
        api_key=SecretStr("none"),  # the server checks no key; the client insists on one
        model=server.model,
        max_completion_tokens=MAX_TOKENS,
        temperature=0,
        timeout=TIMEOUT_S,
        max_retries=0,
    )


def test_base_url_is_v1_on_loopback(local_llm: LocalLlmServer) -> None:
    assert local_llm.base_url.startswith("http://127.0.0.1:")
    assert local_llm.base_url.endswith("/v1")


def test_models_lists_the_served_model(local_llm: LocalLlmServer) -> None:
    ids = [model.id for model in _client(local_llm).models.list()]
    assert local_llm.model in ids


def test_openai_completion_returns_text(local_llm: LocalLlmServer) -> None:
    response = _client(local_llm).chat.completions.create(
        model=local_llm.model,
        messages=[{"role": "user", "content": PROMPT}],
        max_tokens=MAX_TOKENS,
        temperature=0,
    )
    assert len(response.choices) == 1
    choice = response.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str)
    assert choice.message.content.strip()
    assert choice.finish_reason in {"stop", "length"}
    assert response.usage is not None
    assert 0 < response.usage.completion_tokens <= MAX_TOKENS


def test_openai_stream_yields_several_chunks(local_llm: LocalLlmServer) -> None:
    stream = _client(local_llm).chat.completions.create(
        model=local_llm.model,
        messages=[{"role": "user", "content": PROMPT}],
        max_tokens=MAX_TOKENS,
        temperature=0,
        stream=True,
    )
    chunks = list(stream)
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) >= 3
    assert "".join(pieces).strip()
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes[-1:] in (["stop"], ["length"])


def test_langchain_invoke_returns_a_message(local_llm: LocalLlmServer) -> None:
    reply = _chat_model(local_llm).invoke(PROMPT)
    assert isinstance(reply, AIMessage)
    assert isinstance(reply.content, str)
    assert reply.content.strip()


def test_langchain_stream_yields_several_chunks(local_llm: LocalLlmServer) -> None:
    chunks = list(_chat_model(local_llm).stream(PROMPT))
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    texts = [chunk.content for chunk in chunks if isinstance(chunk.content, str) and chunk.content]
    assert len(texts) >= 3
    assert "".join(texts).strip()


def test_a_join_with_the_wrong_hash_is_refused_and_left_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm_module, "MODEL_SHA256", "0" * 64)
    with pytest.raises(LocalLlmError, match="sha256"):
        model_path(tmp_path)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a half-written staging file
