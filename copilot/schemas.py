"""Pydantic models passed between pipeline stages, and the result object of DESIGN.md."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from copilot.understand import Understanding

Action = Literal["answer", "escalate", "ignore"]
ProductSource = Literal["named", "on_stage", "retrieved", "unclear", ""]


class Citation(BaseModel):
    kind: Literal["transcript", "product", "faq", "order"]
    id: str
    start: float | None = None


class Evidence(BaseModel):
    """A source the answer may quote: its text is what the guard checks numbers against."""

    kind: Literal["transcript", "product", "faq", "order"]
    id: str
    text: str
    start: float | None = None
    end: float | None = None
    relevance: float = 0.0  # cosine similarity to the question, for choosing between sources

    def citation(self) -> Citation:
        """The citation pointing at this evidence."""
        return Citation(kind=self.kind, id=self.id, start=self.start)


class OrderView(BaseModel):
    """An order as the asking viewer may see it."""

    order_id: str
    items: list[dict[str, Any]]
    status: str
    carrier: str | None
    tracking_no: str | None
    updated_at: str

    def holds(self, sku: str) -> bool:
        """Whether the order contains the product."""
        return any(item.get("sku") == sku for item in self.items)


class ProductView(BaseModel):
    """A product as read from the database at answer time."""

    sku: str
    name: str
    price: float
    live_price: float | None
    stock: int | None
    description: str
    attributes: dict[str, str]
    faq: list[dict[str, str]]

    def catalog_text(self) -> str:
        """Description, attributes and FAQ as one text: what retrieval and the guard read."""
        attributes = "；".join(f"{k}：{v}" for k, v in self.attributes.items())
        faq = " ".join(f"{f['q']} {f['a']}" for f in self.faq)
        return f"{self.description} {attributes} {faq}"


NOT_YET_SHIPPED = frozenset({"pending_payment", "paid"})  # order statuses before dispatch
# A shop's policies all score alike by e5 cosine (0.85-0.90): one answers a question only when
# it beats the median policy by this much, or by the smaller margin when word overlap (BM25)
# ranks the same policy first, two independent signals agreeing.
POLICY_OVER_BACKGROUND = 0.03
AGREED_POLICY_OVER_BACKGROUND = 0.015


class Context(BaseModel):
    """Everything retrieval found for one question."""

    room_id: str
    viewer_id: str
    text: str
    at: float
    understanding: Understanding
    kb_version: int
    currency: str  # the symbol prices are shown with, as the shop writes it
    product: ProductView | None = None
    product_source: ProductSource = ""
    product_candidates: list[str] = Field(default_factory=list)  # names, when it is unclear
    policies: list[Evidence] = Field(default_factory=list)
    policy_background: float = 0.0  # median similarity of all the room's policies
    policy_agreed: str = ""  # the policy both the dense and the lexical ranking put first
    transcript: list[Evidence] = Field(default_factory=list)
    promotions: list[Evidence] = Field(default_factory=list)
    recent_transcript: list[Evidence] = Field(default_factory=list)
    orders: list[OrderView] = Field(default_factory=list)
    # The shop policy that explains where the viewer's unshipped order stands (dispatch times).
    status_policy: Evidence | None = None
    unknown_order_ids: list[str] = Field(default_factory=list)
    other_viewers_named: list[str] = Field(default_factory=list)
    # Every product name of the room: an LLM's answer may name none the evidence does not.
    catalog_names: list[str] = Field(default_factory=list)
    # False while an agent holds the thread: the copilot's words are a draft for the agent,
    # so nothing of them may stream to the viewer.
    stream_answer: bool = True

    def policy_answers(self, policy: Evidence) -> bool:
        """Whether a retrieved policy stands out from the room's policies as a whole."""
        lead = policy.relevance - self.policy_background
        agreed = policy.id == self.policy_agreed
        return lead >= (AGREED_POLICY_OVER_BACKGROUND if agreed else POLICY_OVER_BACKGROUND)


class Draft(BaseModel):
    """A composed answer before the guard."""

    text: str
    evidence: list[Evidence]
    composer: Literal["grounded", "llm"] = "grounded"


VIEWER_FIELDS = frozenset(
    {"action", "answer", "citations", "replay", "ticket_id", "latency_ms", "composer", "language"}
)


class QuestionResult(BaseModel):
    """DESIGN.md's result object, plus what the pipeline understood (intent, reason: internal)."""

    action: Action
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    replay: list[str] = Field(default_factory=list)
    ticket_id: str | None = None
    latency_ms: float = 0.0
    composer: Literal["grounded", "llm"] = "grounded"
    intent: str = ""
    language: str = ""
    reason: str | None = None

    def for_viewer(self) -> dict[str, Any]:
        """What the asking viewer receives: no escalation reason, no intent."""
        return self.model_dump(mode="json", include=set(VIEWER_FIELDS), exclude_none=True)
