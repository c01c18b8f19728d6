"""The grounded composer: short answers that copy facts from the evidence, no LLM needed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from copilot.answer import wording
from copilot.guards.grounding import numbers_in
from copilot.schemas import NOT_YET_SHIPPED, Context, Draft, Evidence, OrderView, ProductView
from knowledge.embedder import Embedder
from knowledge.lexical import name_grams, strip_words
from transcripts.replay import clock

# A detail whose key shares this much with the question answers it outright.
DETAIL_KEY_MIN = 0.5
VALUE_WORD_MIN = 3  # latin words of an attribute's value longer than this can name it
# Details this close in similarity to the best one are quoted with it, up to MAX_DETAILS.
DETAIL_CLOSE_GAP = 0.03
MAX_DETAILS = 3
# An amount of money within this factor of a product's price may be about that product.
PRICE_SCALE = 3.0
# Amounts the viewer marks as money: ¥99, $30, 1599元, 20块, 15 dollars.
_MONEY = re.compile(
    r"[¥￥$]\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:元|块|rmb\b|yuan\b|dollars?\b|bucks\b|usd\b)",
    re.IGNORECASE,
)
HOST_SAID_WINDOW_S = 120  # "what did the host just say" may also quote a relevant line this old
MAX_ORDERS_LISTED = 3
SOURCE_PREFERENCE = 0.02  # cosine edge the host's announcement has over a shop policy
DETAIL_OVER_BACKGROUND = 0.03  # cosine lead a detail needs over the best policy to answer


@dataclass(frozen=True)
class Details:
    """Product details chosen for a question, with their relevance to it."""

    lines: list[str]
    relevance: float
    key_match: bool = False  # the question names the detail's key ("产地", "保质期")


_BRITISH_OUR = re.compile(r"(?<=[a-z]{2})our(?=s?$)")  # colour, flavours; not "four", "your"
# A "." ends a sentence only before whitespace: "6.8kg" stays whole.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)\s+")


class AnswerComposer(Protocol):
    """Turns retrieved context into a draft for one intent, or None when evidence is lacking."""

    def compose(self, context: Context, intent: str) -> Draft | None: ...


def product_evidence(product: ProductView) -> Evidence:
    """Everything stored about a product, as the text the guard checks against."""
    text = (
        f"{product.name} {product.sku} price {product.price} live_price {product.live_price} "
        f"stock {product.stock}. {product.catalog_text()}"
    )
    return Evidence(kind="product", id=product.sku, text=text)


def order_evidence(order: OrderView) -> Evidence:
    """An order's stored fields as evidence."""
    return Evidence(kind="order", id=order.order_id, text=order.model_dump_json())


def _detail_lines(product: ProductView) -> tuple[list[str], list[str]]:
    """(key, line) for every attribute, FAQ answer and description sentence of a product."""
    keys: list[str] = []
    lines: list[str] = []
    for key, value in product.attributes.items():
        keys.append(key)
        lines.append(f"{key}：{value}")
    for item in product.faq:
        keys.append(item["q"])
        lines.append(item["a"])
    for sentence in _SENTENCE_END.split(product.description):
        if sentence.strip():
            keys.append("")
            lines.append(sentence.strip())
    return keys, lines


def _folded_grams(text: str) -> set[str]:
    """name_grams with English plurals and -our/-or folded: "size" is "Sizes", "color" "Colours"."""
    folded = set()
    for gram in name_grams(text):
        if gram.isascii() and gram.isalpha():
            gram = _BRITISH_OUR.sub("or", gram)
            if len(gram) > 3 and gram.endswith("s") and not gram.endswith("ss"):
                gram = gram[:-1]
        folded.add(gram)
    return folded


def _named_key(asked: str, keys: list[str]) -> int | None:
    """The detail whose key the question names ("产地", "保质期", "sizes"), if any."""
    asked_grams = _folded_grams(asked)
    key_grams = [_folded_grams(k) for k in keys]
    overlap = [len(asked_grams & grams) / max(len(grams), 1) for grams in key_grams]
    if not overlap:
        return None
    best = int(np.argmax(overlap))
    return best if overlap[best] >= DETAIL_KEY_MIN else None


def _named_value(asked: str, product: ProductView) -> int | None:
    """The attribute one of whose values the question names ("in blue?"), if only one fits.

    Digits and short latin words are left out: "7" or "for" name no attribute.
    """
    asked_grams = _folded_grams(asked)
    named = [
        i
        for i, value in enumerate(product.attributes.values())
        if any(
            g in asked_grams and not g.isdigit() and (not g.isascii() or len(g) > VALUE_WORD_MIN)
            for g in _folded_grams(str(value))
        )
    ]
    return named[0] if len(named) == 1 else None


def _quotes_a_price(context: Context) -> bool:
    """Whether the question contains one of the product's prices, regular or live."""
    product = context.product
    if product is None:
        return False
    return bool(numbers_in(context.text) & numbers_in(f"{product.price} {product.live_price}"))


def _prices_of_another_product(context: Context) -> bool:
    """Whether every amount of money the question quotes is far from the product's prices.

    "25号1599元下的单，现在1399元" is not about the ¥39.9 mangoes on stage: quoting their
    price would be confidently wrong. "还是128吗" about a ¥99 tea is in scale, and answered.
    """
    product = context.product
    amounts = [float(a or b) for a, b in _MONEY.findall(context.text)]
    if product is None or not amounts:
        return False
    prices = [p for p in (product.price, product.live_price) if p]
    return bool(prices) and all(
        not any(p / PRICE_SCALE <= amount <= p * PRICE_SCALE for p in prices) for amount in amounts
    )


def _host_quotes(language: str, segments: list[Evidence]) -> str:
    ordered = sorted(segments, key=lambda e: e.start or 0.0)
    return "\n".join(
        wording.quote_host(language, clock(e.start or 0.0), e.text.split("] ", 1)[-1])
        for e in ordered
    )


def _orders_meant(context: Context) -> list[OrderView]:
    """The orders the question is about: those with the product it names, else all, newest first.

    Named order ids were already narrowed in retrieval; "has my tea shipped" means the order
    with the tea, not every order of the viewer.
    """
    product = context.product
    if product is None or context.product_source not in ("named", "retrieved"):
        return context.orders
    with_it = [o for o in context.orders if o.holds(product.sku)]
    return with_it or context.orders


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
        }

    def compose(self, context: Context, intent: str) -> Draft | None:
        """A draft for an answerable intent; None sends the question on."""
        if intent == "product_info" and _quotes_a_price(context):
            intent = "price_stock"  # "还是129吗" asks whether a price still holds
        handler = self._by_intent.get(intent)
        return handler(context) if handler else None

    def _price_stock(self, context: Context) -> Draft | None:
        product = context.product
        if product is None:
            return None
        keys, details = _detail_lines(product)
        asked = strip_words(context.text, product.name)
        # "充绒量多少克" asks for a detail, not the price. A value alone ("the blue one, how
        # much?", "in blue?") does not: it picks the option the price is asked of, so the
        # attribute it belongs to is quoted too.
        if _named_key(asked, keys) is not None:
            return None
        if _prices_of_another_product(context):
            return None
        language = context.understanding.language
        line = wording.price_line(
            language, product.name, product.price, product.live_price, context.currency
        )
        end = "。" if language == "zh" else "."
        text = line + wording.stock_line(language, product.stock) + end
        value = _named_value(asked, product)
        if value is not None:
            text += ("" if language == "zh" else " ") + details[value] + end
        return Draft(text=text, evidence=[product_evidence(product)])

    def _product_info(self, context: Context) -> Draft | None:
        return self._written(context, prefer="product")

    def _policy(self, context: Context) -> Draft | None:
        return self._written(context, prefer="policy")

    def _written(self, context: Context, prefer: str) -> Draft | None:
        """The product detail or shop policy that best answers the question.

        Viewers ask "will the frozen food melt in transit?" about a product and a policy at
        once, so both kinds of written source compete on relevance to the whole question.
        The best policy also serves as background: a detail no closer to the question than
        generic shop text does not answer it, and the question goes on.
        """
        product = context.product
        consider_product = product is not None and (
            prefer == "product" or context.product_source in ("named", "retrieved")
        )
        details = self._best_details(context.text, product) if consider_product else None
        policy = context.policies[0] if context.policies else None
        background = policy.relevance if policy is not None else -1.0
        if (
            details is not None
            and product is not None
            and (details.key_match or details.relevance - background >= DETAIL_OVER_BACKGROUND)
        ):
            text = wording.details_line(context.understanding.language, product.name, details.lines)
            return Draft(text=text, evidence=[product_evidence(product)])
        # A policy answers only when it stands out from the room's policies as a whole.
        relevant = policy is not None and context.policy_answers(policy)
        if (
            policy is not None
            and relevant
            and (prefer == "policy" or (details is not None and background > details.relevance))
        ):
            text = wording.policy_line(context.understanding.language, policy.text)
            return Draft(text=text, evidence=[policy])
        return None

    def _best_details(self, question: str, product: ProductView | None) -> Details | None:
        """The attributes, FAQ answers or description sentences that answer the question."""
        if product is None:
            return None
        keys, details = _detail_lines(product)
        if not details:
            return None
        # The product's own name pulls every detail closer; what is asked is the rest.
        asked = strip_words(question, product.name)
        key_hit = _named_key(asked, keys)
        if key_hit is None:
            key_hit = _named_value(asked, product)  # attributes come first in the details
        if key_hit is not None:
            return Details([details[key_hit]], 1.0, key_match=True)
        passages = [
            f"{k} {d}" if k and k not in d else d for k, d in zip(keys, details, strict=True)
        ]
        vectors = self.embedder.encode_passages(passages)
        queries = self.embedder.encode_queries([asked, question])
        sims = vectors @ queries[0]
        order = np.argsort(-sims)
        close = [i for i in order[:MAX_DETAILS] if sims[order[0]] - sims[i] < DETAIL_CLOSE_GAP]
        chosen = [details[i] for i in close]
        # Relevance to the whole question: comparable with the policies' relevance.
        return Details(chosen, float(vectors[order[0]] @ queries[1]))

    def _promotion(self, context: Context) -> Draft | None:
        language = context.understanding.language
        said = context.promotions[:2]
        if not said and context.product_source in ("named", "retrieved"):
            return None  # nothing was announced for the product asked about
        # A policy that does not stand out from the others is no answer here either.
        written = [p for p in context.policies[:1] if context.policy_answers(p)]
        # The host's announcement is the primary source; a policy must be clearly closer.
        if said and (not written or said[0].relevance + SOURCE_PREFERENCE >= written[0].relevance):
            return Draft(text=_host_quotes(language, said), evidence=said)
        if written:
            text = wording.policy_line(language, written[0].text)
            return Draft(text=text, evidence=written)
        return None

    def _host_said(self, context: Context) -> Draft | None:
        chosen = list(context.recent_transcript)
        relevant = context.transcript[:1]
        if relevant and context.at - (relevant[0].end or 0.0) <= HOST_SAID_WINDOW_S:
            chosen += [e for e in relevant if e.id not in {c.id for c in chosen}]
        if not chosen:
            return None
        return Draft(text=_host_quotes(context.understanding.language, chosen), evidence=chosen)

    def _orders(self, context: Context) -> Draft | None:
        if context.unknown_order_ids or not context.orders:
            return None
        language = context.understanding.language
        shown = _orders_meant(context)[:MAX_ORDERS_LISTED]
        lines = [self._order_line(language, order) for order in shown]
        evidence = [order_evidence(o) for o in shown]
        explains = context.status_policy
        if explains is not None and any(o.status in NOT_YET_SHIPPED for o in shown):
            lines.append(wording.policy_line(language, explains.text))  # when it will ship
            evidence.append(explains)
        return Draft(text="\n".join(lines), evidence=evidence)

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
