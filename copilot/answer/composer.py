"""The grounded composer: short answers that copy facts from the evidence, no LLM needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from copilot.answer import wording
from copilot.schemas import Context, Draft, Evidence, OrderView, ProductView
from knowledge.embedder import Embedder
from knowledge.lexical import name_grams
from transcripts.replay import clock

# A product detail answers a question when its key shares this much with the question ...
DETAIL_KEY_MIN = 0.5
# ... or when its meaning stands out this far (in standard deviations) from the other details.
DETAIL_DENSE_MARGIN_Z = 1.6
MAX_ORDERS_LISTED = 3


class AnswerComposer(Protocol):
    """Turns retrieved context into a draft answer, or None when the evidence does not answer."""

    def compose(self, context: Context) -> Draft | None: ...


def product_evidence(product: ProductView) -> Evidence:
    """Everything stored about a product, as the text the guard checks against."""
    attributes = "；".join(f"{k}：{v}" for k, v in product.attributes.items())
    faq = " ".join(f"{f['q']} {f['a']}" for f in product.faq)
    text = (
        f"{product.name} {product.sku} price {product.price} live_price {product.live_price} "
        f"stock {product.stock}. {product.description} {attributes} {faq}"
    )
    return Evidence(kind="product", id=product.sku, text=text)


def order_evidence(order: OrderView) -> Evidence:
    """An order's stored fields as evidence."""
    return Evidence(kind="order", id=order.order_id, text=order.model_dump_json())


class GroundedComposer:
    """Deterministic, template-based answers in the viewer's language."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._by_intent: dict[str, Callable[[Context], Draft | None]] = {
            "price_stock": self._price_stock,
            "product_info": self._product_info,
            "promotion": self._promotion,
            "policy": self._policy,
            "order_status": self._orders,
            "host_said": self._host_said,
            "other": self._other,
        }

    def compose(self, context: Context) -> Draft | None:
        """A draft for answerable intents; None sends the question to a person."""
        handler = self._by_intent.get(context.understanding.intent)
        return handler(context) if handler else None

    def _price_stock(self, context: Context) -> Draft | None:
        product = context.product
        if product is None:
            return None
        language = context.understanding.language
        line = wording.price_line(language, product.name, product.price, product.live_price)
        text = (
            line + wording.stock_line(language, product.stock) + ("。" if language == "zh" else ".")
        )
        return Draft(text=text, evidence=[product_evidence(product)])

    def _product_info(self, context: Context) -> Draft | None:
        product = context.product
        if product is None:
            return None
        detail = self._best_detail(context.text, product)
        if detail is None:
            return None
        language = context.understanding.language
        text = f"{product.name}：{detail}" if language == "zh" else f"{product.name}: {detail}"
        return Draft(text=text, evidence=[product_evidence(product)])

    def _best_detail(self, question: str, product: ProductView) -> str | None:
        """The attribute, FAQ answer or description sentence that answers the question."""
        keys: list[str] = []
        details: list[str] = []
        for key, value in product.attributes.items():
            keys.append(key)
            details.append(f"{key}：{value}")
        for item in product.faq:
            keys.append(item["q"])
            details.append(item["a"])
        if not details:
            return None
        asked = name_grams(question)
        overlap = [len(asked & name_grams(k)) / max(len(name_grams(k)), 1) for k in keys]
        best = int(np.argmax(overlap))
        if overlap[best] >= DETAIL_KEY_MIN:
            return details[best]
        query = self.embedder.encode_queries([question])[0]
        sims = self.embedder.encode_passages(details) @ query
        if len(sims) < 3:
            return None
        best = int(np.argmax(sims))
        others = np.delete(sims, best)
        spread = float(others.std()) or 1e-6
        if (sims[best] - float(others.mean())) / spread >= DETAIL_DENSE_MARGIN_Z:
            return details[best]
        return None

    def _promotion(self, context: Context) -> Draft | None:
        if not context.transcript:
            return self._policy(context)
        chosen = sorted(context.transcript[:2], key=lambda e: e.start or 0.0)
        language = context.understanding.language
        lines = [
            wording.quote_host(language, clock(e.start or 0.0), e.text.split("] ", 1)[-1])
            for e in chosen
        ]
        return Draft(text="\n".join(lines), evidence=chosen)

    def _host_said(self, context: Context) -> Draft | None:
        if not context.recent_transcript:
            return None
        language = context.understanding.language
        chosen = context.recent_transcript
        lines = [
            wording.quote_host(language, clock(e.start or 0.0), e.text.split("] ", 1)[-1])
            for e in chosen
        ]
        return Draft(text="\n".join(lines), evidence=chosen)

    def _policy(self, context: Context) -> Draft | None:
        if not context.policies:
            return None
        best = context.policies[0]
        return Draft(text=best.text, evidence=[best])

    def _orders(self, context: Context) -> Draft | None:
        if context.unknown_order_ids or not context.orders:
            return None
        language = context.understanding.language
        shown = context.orders[:MAX_ORDERS_LISTED]
        lines = [self._order_line(language, order) for order in shown]
        return Draft(text="\n".join(lines), evidence=[order_evidence(o) for o in shown])

    @staticmethod
    def _order_line(language: str, order: OrderView) -> str:
        items = "、".join(f"{i['sku']}×{i['qty']}" for i in order.items)
        state = wording.status(language, order.status)
        if language == "zh":
            line = f"订单 {order.order_id}（{items}）：{state}"
            if order.carrier or order.tracking_no:
                line += f"，{order.carrier or ''} 运单号 {order.tracking_no or '暂无'}"
            return line + "。"
        line = f"Order {order.order_id} ({items}): {state}"
        if order.carrier or order.tracking_no:
            line += f", {order.carrier or ''} tracking number {order.tracking_no or 'not yet'}"
        return line + "."

    def _other(self, context: Context) -> Draft | None:
        # Unclear intent: answer only when a product detail clearly matches.
        if context.product is not None and context.product_source == "named":
            return self._product_info(context)
        return None
