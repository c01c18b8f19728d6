"""Canned replies (prompts/canned_replies), their fields filled from the ticket."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from copilot.answer.wording import status as status_words
from copilot.models import Ticket
from prompts import load_table

FIELD = re.compile(r"\{(\w+)\}")


class CannedReply(BaseModel):
    """A reply ready to send, or to finish where `missing` names fields the ticket lacks."""

    id: str
    title: str
    text: str
    missing: list[str]


@lru_cache(maxsize=1)
def _replies() -> dict[str, dict[str, Any]]:
    return load_table("canned_replies")


def ticket_fields(ticket: Ticket) -> dict[str, str]:
    """What a reply may name: the order concerned, its carrier and status, the product."""
    fields: dict[str, str] = {}
    order = next((o for o in ticket.orders if o.get("order_id") == ticket.order_id), None)
    language = ticket.language if ticket.language in ("zh", "en") else "zh"
    if order is not None:
        fields["order_id"] = str(order["order_id"])
        for key in ("carrier", "tracking_no"):
            if order.get(key):
                fields[key] = str(order[key])
        fields["status"] = status_words(language, str(order.get("status", "")))
    product = next((e for e in ticket.evidence if e.get("kind") == "product"), None)
    if product is not None:
        fields["product"] = str(json.loads(product["text"]).get("name", product["id"]))
    elif order is not None and order.get("items"):
        fields["product"] = str(order["items"][0].get("sku", ""))
    return {k: v for k, v in fields.items() if v}


def canned_replies(ticket: Ticket) -> list[CannedReply]:
    """Every canned reply in the ticket's language, filled; unknown fields stay as 【name】."""
    fields = ticket_fields(ticket)
    language = ticket.language if ticket.language in ("zh", "en") else "zh"
    replies = []
    for reply_id, reply in _replies().items():
        template = reply[language]
        missing = [name for name in FIELD.findall(template) if name not in fields]
        text = FIELD.sub(lambda m: fields.get(m.group(1), f"【{m.group(1)}】"), template)
        replies.append(
            CannedReply(id=reply_id, title=reply["title"][language], text=text, missing=missing)
        )
    return replies
