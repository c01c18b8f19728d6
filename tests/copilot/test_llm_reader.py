"""The LLM's second reading of a message's intent, against a scripted endpoint (a real HTTP
server): a plausible label is lifted to the top, an implausible or unknown one and a failure
leave the classifier's reading as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from copilot.answer.llm import chat_model
from copilot.understand.features import Understanding
from copilot.understand.llm_reader import LlmIntentReader
from tests.scripted_llm import Script, scripted_endpoint

READING = Understanding(
    language="zh",
    intent="policy",
    ranked=[("policy", 0.5), ("order_status", 0.3), ("promotion", 0.18), ("bargain", 0.02)],
    order_ids=[],
)


@pytest.fixture
def reader() -> Iterator[tuple[LlmIntentReader, Script]]:
    with scripted_endpoint() as (base_url, script):
        chat = chat_model(base_url=base_url, model="scripted", api_key="", first_token_s=1)
        yield LlmIntentReader(chat), script


def test_a_plausible_label_leads(reader: tuple[LlmIntentReader, Script]) -> None:
    llm, script = reader
    script.reply = "order_status"
    revised = llm.revise("现在拍几天到", READING)
    assert revised.intent == revised.ranked[0][0] == "order_status"
    assert abs(sum(p for _, p in revised.ranked) - 1) < 1e-9
    assert dict(revised.ranked)["policy"] < dict(revised.ranked)["order_status"]
    sent = script.requests[-1]["messages"]
    assert sent[-1]["content"].strip().endswith('"现在拍几天到"')  # the message as data, last
    assert llm.changed == 1


@pytest.mark.parametrize("reply", ["bargain", "refund_everything", "", "I think policy"])
def test_other_replies_leave_the_reading(
    reader: tuple[LlmIntentReader, Script], reply: str
) -> None:
    llm, script = reader
    script.reply = reply  # implausible (0.02), not a label, empty, the same intent in words
    assert llm.revise("现在拍几天到", READING) == READING


def test_a_hung_endpoint_leaves_the_reading(reader: tuple[LlmIntentReader, Script]) -> None:
    llm, script = reader
    script.reply, script.hang_s = "order_status", 5
    assert llm.revise("现在拍几天到", READING) == READING
    assert llm.failed == 1
