"""The retrieve stage: products, policies, the host's words around the question, own orders."""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from copilot.answer import wording
from copilot.models import as_utc
from copilot.schemas import (
    NOT_YET_SHIPPED,
    Context,
    Evidence,
    OrderView,
    ProductSource,
    ProductView,
)
from copilot.understand import Understanding
from copilot.understand.host_lines import PromotionLineClassifier
from knowledge.embedder import Embedder, Vectors
from knowledge.lexical import strip_words
from knowledge.models import Order, Product
from knowledge.repository import CatalogRepository, OrderRepository, RoomRepository
from knowledge.retrieve import NAME_LINK_MIN, Document, HybridIndex, NameLinker
from transcripts.replay import clock
from transcripts.store import TranscriptRepository

STAGE_LOOKBACK_S = 1800  # a product introduced longer ago than this is no longer "this one"
PARTIAL_NAME_MIN = 0.25  # a partial name counts when it covers this much of one name ...
PARTIAL_NAME_LEAD = 0.1  # ... and this much more than of any other name
NAME_MEANING_LEAD = 0.03  # cosine lead of the closest product name over the next, to link it
CROSS_LINGUAL_MIN = 0.3  # name-embedder similarity for "the wide-leg jeans" to name a product
CROSS_LINGUAL_LEAD = 0.09  # ... and its lead over the next product's name
PROMOTION_LINE_MIN = 0.35  # host lines above this probability count as promotion announcements
PROMOTION_WEIGHT = 2.0  # how much a clear announcement outranks a merely relevant line (z units)
STAGE_BONUS = 0.5  # z units for announcements about the product on stage
TRANSCRIPT_WINDOW_S = 1800  # how far back promotion and host questions search
RECENCY_TAU_S = 300  # host words lose half their weight in about 3.5 minutes
RECENCY_WEIGHT = 1.0
RECENT_SEGMENTS = 2  # "what did the host just say" quotes this many segments
POLICY_HITS = 3
MAX_CANDIDATES = 3  # products offered when the copilot asks "which one?"
STATUS_POLICY_LEAD = 0.05  # cosine lead over the median policy for one to explain a status
TRANSCRIPT_HITS = 3


# The closed class of demonstratives that point at the product on stage.
_DEMONSTRATIVE_ZH = re.compile(r"[这那][个款件套只瓶盒条双支台块把罐袋包]|它")
_DEMONSTRATIVE_EN = re.compile(r"\b(this|that|these|those|it)\b", re.IGNORECASE)


# Tokens shaped like an account id ("v023", "mom_01", "pet_09"): letters with digits.
_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_@.\-])[A-Za-z0-9_@.\-]{3,64}(?![A-Za-z0-9_@.\-])")
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
ORDER_READING_RANKS = 2  # an order question if order_status is among the top readings


def reads_as_order(understanding: Understanding) -> bool:
    """Whether order_status is among the message's top readings."""
    top = [intent for intent, _ in understanding.ranked[:ORDER_READING_RANKS]]
    return "order_status" in top


def foreign_account_ids(
    text: str, *, viewer_id: str, known: set[str], understanding: Understanding
) -> list[str]:
    """Id-shaped tokens of an order question that are neither the asker's nor the shop's.

    Decided by shape alone, never by looking the id up: whether a viewer exists must not
    change what the asker is told.
    """
    if not reads_as_order(understanding):
        return []
    mine = {viewer_id.lower(), *(k.lower() for k in known)}
    return sorted(
        {
            token
            for token in _ID_TOKEN.findall(text)
            if _LETTER.search(token) and _DIGIT.search(token) and token.lower() not in mine
        }
    )


def product_document(product: ProductView) -> Document:
    """Name, sku, description, attributes and FAQ as one retrievable text."""
    return Document(
        "product", product.sku, f"{product.name} {product.sku}。{product.catalog_text()}"
    )


def product_view(product: Product) -> ProductView:
    """A read-only copy of a product row."""
    return ProductView(
        sku=product.sku,
        name=product.name,
        price=product.price,
        live_price=product.live_price,
        stock=product.stock,
        description=product.description,
        attributes=dict(product.attributes or {}),
        faq=list(product.faq or []),
    )


def order_view(order: Order) -> OrderView:
    """What the owner of an order may see of it."""
    return OrderView(
        order_id=order.order_id,
        items=list(order.items or []),
        status=order.status,
        carrier=order.carrier,
        tracking_no=order.tracking_no,
        updated_at=as_utc(order.updated_at).isoformat(),
    )


# What the transcript index takes from the catalog: each product's sku and name, in order.
NamesKey = tuple[tuple[str, str], ...]


@dataclass
class CatalogIndex:
    """A room's catalog index, valid for one kb_version."""

    version: int
    products: HybridIndex
    policies: HybridIndex
    linker: NameLinker
    skus: list[str]
    name_vectors: Vectors  # product names alone, by the retrieval embedder
    names: list[str]
    currency: str  # the symbol the shop's own texts write prices with
    cross_lingual_names: Vectors | None = None  # by the name embedder, built on first need

    @property
    def names_key(self) -> NamesKey:
        """The products' skus and names, all that the transcript index reads of the catalog."""
        # A load that changes neither (prices, stock) keeps the transcript index, the costly
        # one to build in a long stream.
        return tuple(zip(self.skus, self.names, strict=True))


@dataclass
class TranscriptIndex:
    """A room's transcript index with the product on stage after each segment."""

    version: tuple[int, int, NamesKey]  # segment count, top segment id, catalog names
    index: HybridIndex
    starts: list[float]
    ends: npt.NDArray[np.float64]
    mentions: list[str | None]
    on_stage: list[str | None]  # the product being presented while each segment was said
    on_stage_since: list[float]  # when that product was last named
    promotion: npt.NDArray[np.float64]  # P(the segment announces a promotion)


@dataclass
class StageSpan:
    """A stretch of the stream during which one product was presented."""

    start: float
    end: float
    sku: str


KEPT_VERSIONS = 2  # indexes kept per room: the current one and the one before
_Index = TypeVar("_Index", CatalogIndex, TranscriptIndex)


def _find(kept: list[_Index], version: object) -> _Index | None:
    """The kept index built for exactly `version`, if any."""
    return next((index for index in reversed(kept) if index.version == version), None)


class RoomIndexes:
    """Per-room indexes, rebuilt from SQL when the catalog or transcript changes.

    Many askers may find the room's index out of date at once (a catalog load just
    committed): one of them builds it while the others wait for that build, never a build
    each. The index before is kept too, so that questions still reading the snapshot from
    before the load find theirs instead of building it back. Builds read through the
    asker's read-only session: they hold no lock any writer waits for.
    """

    def __init__(
        self, embedder: Embedder, promotions: PromotionLineClassifier, names: Embedder
    ) -> None:
        self.embedder = embedder
        self.promotions = promotions
        self.names = names
        self._catalogs: dict[str, list[CatalogIndex]] = {}  # per room, oldest first
        self._transcripts: dict[str, list[TranscriptIndex]] = {}
        self._lock = threading.Lock()  # guards the two dicts and `_builds`
        self._builds: dict[tuple[str, str], threading.Lock] = {}  # one per (kind, room)

    def _build_lock(self, kind: str, room_id: str) -> threading.Lock:
        with self._lock:
            return self._builds.setdefault((kind, room_id), threading.Lock())

    def _keep(self, kept: dict[str, list[_Index]], room_id: str, built: _Index) -> None:
        with self._lock:
            versions = list(kept.get(room_id, ()))
            versions.append(built)
            kept[room_id] = versions[-KEPT_VERSIONS:]  # a new list: readers never see it change

    def catalog(self, session: Session, room_id: str, version: int) -> CatalogIndex:
        """The catalog index for the room's `version`, built once however many ask."""
        found = _find(self._catalogs.get(room_id, []), version)
        if found is not None:
            return found
        with self._build_lock("catalog", room_id):
            found = _find(self._catalogs.get(room_id, []), version)
            if found is not None:  # built while we waited
                return found
            repo = CatalogRepository(session, room_id)
            products = repo.products()
            product_docs = [product_document(product_view(p)) for p in products]
            policy_docs = [
                Document("faq", e.id, f"{e.q} {e.a}", {"q": e.q, "a": e.a}) for e in repo.policies()
            ]
            built = CatalogIndex(
                version=version,
                products=HybridIndex(product_docs, self.embedder),
                policies=HybridIndex(policy_docs, self.embedder),
                linker=NameLinker(
                    {p.sku: [p.name] for p in products}, {p.sku: p.sku for p in products}
                ),
                skus=[p.sku for p in products],
                name_vectors=self.embedder.encode_passages([p.name for p in products]),
                names=[p.name for p in products],
                currency=wording.currency_of([d.text for d in product_docs + policy_docs]),
            )
            self._keep(self._catalogs, room_id, built)
            return built

    def transcript(self, session: Session, room_id: str, catalog: CatalogIndex) -> TranscriptIndex:
        """The transcript index for the room's current segments and catalog."""
        repo = TranscriptRepository(session, room_id)
        count, top = repo.version()
        version = (count, top, catalog.names_key)
        found = _find(self._transcripts.get(room_id, []), version)
        if found is not None:
            return found
        with self._build_lock("transcript", room_id):
            kept = self._transcripts.get(room_id, [])
            found = _find(kept, version)
            if found is not None:
                return found
            cached = kept[-1] if kept else None
            segments = repo.all()
            documents = [
                Document("transcript", str(s.id), s.text, {"start": s.start, "end": s.end})
                for s in segments
            ]
            index = HybridIndex(documents, self.embedder)
            starts = [s.start for s in segments]
            # Live streams rebuild this on every new segment: only new lines are linked again.
            known: dict[str, str | None] = {}
            if cached is not None and cached.version[2] == catalog.names_key:
                texts = (d.text for d in cached.index.documents)
                known = dict(zip(texts, cached.mentions, strict=True))
            mentions = [
                known[s.text] if s.text in known else catalog.linker.mentioned(s.text)
                for s in segments
            ]
            on_stage, since = _carry_forward(mentions, starts)
            built = TranscriptIndex(
                version=version,
                index=index,
                starts=starts,
                ends=np.array([s.end for s in segments], dtype=np.float64),
                mentions=mentions,
                on_stage=on_stage,
                on_stage_since=since,
                promotion=self.promotions.probabilities(index.vectors),
            )
            self._keep(self._transcripts, room_id, built)
            return built

    def warm(self, session: Session, room_id: str) -> None:
        """Build a room's indexes now rather than on its first question."""
        room = RoomRepository(session).get(room_id)
        if room is not None:
            self.transcript(session, room_id, self.catalog(session, room_id, room.kb_version))


# (product, how it was found, the candidates when it is unclear which one)
Resolution = tuple[str | None, ProductSource, list[str]]


def _carry_forward(
    mentions: list[str | None], starts: list[float]
) -> tuple[list[str | None], list[float]]:
    """The product on stage at each segment (the last one named, for a while), and since when."""
    stage: list[str | None] = []
    stage_since: list[float] = []
    current: str | None = None
    since = 0.0
    for mention, start in zip(mentions, starts, strict=True):
        if mention:
            current, since = mention, start
        elif current and start - since > STAGE_LOOKBACK_S:
            current = None
        stage.append(current)
        stage_since.append(since)
    return stage, stage_since


def _segment_evidence(doc: Document, relevance: float = 0.0) -> Evidence:
    start = float(doc.meta["start"])  # type: ignore[arg-type]
    end = float(doc.meta["end"])  # type: ignore[arg-type]
    # The clock is part of the evidence: answers quote it.
    return Evidence(
        kind="transcript",
        id=doc.id,
        text=f"[{clock(start)}] {doc.text}",
        start=start,
        end=end,
        relevance=relevance,
    )


def _zscore(
    values: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    chosen = values[mask]
    if chosen.size == 0:
        return np.zeros(len(values))
    spread = float(chosen.std()) or 1.0
    return np.asarray((values - float(chosen.mean())) / spread, dtype=np.float64)


def _on_stage(transcript: TranscriptIndex, at: float) -> str | None:
    """The product most recently introduced by name before `at`, if not too long ago."""
    last = bisect.bisect_right(transcript.starts, at) - 1
    if last < 0 or at - transcript.on_stage_since[last] > STAGE_LOOKBACK_S:
        return None
    return transcript.on_stage[last]


def _search_transcript(
    transcript: TranscriptIndex,
    text: str,
    vector: npt.NDArray[np.float32],
    at: float,
    candidates: npt.NDArray[np.bool_] | None = None,
    prior: npt.NDArray[np.float64] | None = None,
) -> list[Evidence]:
    """Segments said before `at`, ranked by relevance with a recency prior (and `prior`)."""
    index = transcript.index
    if not index.documents:
        return []
    starts = np.asarray(transcript.starts)
    said = starts <= at
    mask = said & (candidates if candidates is not None else starts >= at - TRANSCRIPT_WINDOW_S)
    if not mask.any():
        return []
    dense, lexical = index.raw_scores(text, vector)
    recency = np.exp(-np.maximum(at - transcript.ends, 0.0) / RECENCY_TAU_S)
    # Standardised over everything said so far, not over a handful of candidates, where a
    # tiny difference in similarity would look like a whole standard deviation.
    score = _zscore(dense, said) + 0.5 * _zscore(lexical, said) + RECENCY_WEIGHT * recency
    if prior is not None:
        score = score + prior
    score = np.where(mask, score, -np.inf)
    order = np.argsort(-score)[:TRANSCRIPT_HITS]
    return [
        _segment_evidence(index.documents[i], float(dense[i]))
        for i in order
        if np.isfinite(score[i])
    ]


def _search_promotions(
    transcript: TranscriptIndex,
    text: str,
    vector: npt.NDArray[np.float32],
    at: float,
    product: ProductView | None,
    named: bool,
) -> list[Evidence]:
    """Promotion announcements before `at`.

    A named product's announcements are searched over the whole stream; otherwise recent
    announcements, those about the product on stage ranked a little higher.
    """
    if not transcript.index.documents:
        return []
    announced = transcript.promotion >= PROMOTION_LINE_MIN
    prior = PROMOTION_WEIGHT * transcript.promotion
    starts = np.asarray(transcript.starts)
    candidates = announced & (starts >= at - TRANSCRIPT_WINDOW_S)
    if product is not None:
        about = np.asarray(
            [
                stage == product.sku or mention == product.sku
                for stage, mention in zip(transcript.on_stage, transcript.mentions, strict=True)
            ]
        )
        if named:
            candidates = announced & about  # its announcements, however long ago
        else:
            prior = prior + STAGE_BONUS * about  # the product on stage first, others still count
        # Every line about the product names it; what tells them apart is the rest.
        text = strip_words(text, product.name)
        vector = transcript.index.embedder.encode_queries([text])[0]
    return _search_transcript(transcript, text, vector, at, candidates, prior)


def _recent_transcript(transcript: TranscriptIndex, at: float) -> list[Evidence]:
    position = bisect.bisect_right(transcript.starts, at)
    docs = transcript.index.documents[max(0, position - RECENT_SEGMENTS) : position]
    return [_segment_evidence(d) for d in docs]


def _resolve_product(
    catalog: CatalogIndex,
    text: str,
    vector: npt.NDArray[np.float32],
    names: Embedder,
    on_stage: str | None,
) -> Resolution:
    """Which product the question is about: named (wholly or partly), else the one on stage.

    When a partly said name fits several products equally, none is chosen and they are the
    candidates, so the copilot asks which one instead of quoting one's price.
    """
    scores = catalog.linker.scores(text)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    stage: Resolution = (on_stage, "on_stage", []) if on_stage else (None, "", [])

    def described() -> str | None:
        # "The wide-leg jeans" for 高腰阔腿牛仔裤, a typo, a synonym; but "this one" points
        # at the stage, and only a name said outright overrides that.
        return None if refers_to_stage(text) else _described_product(catalog, text, vector, names)

    if not ranked or ranked[0][1] == 0:
        found = described()
        return (found, "retrieved", []) if found else stage
    best, coverage = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    tied = [sku for sku, score in ranked if score == coverage]
    if coverage >= PARTIAL_NAME_MIN and len(tied) > 1 and not refers_to_stage(text):
        # "乌龙茶" of 桂花乌龙茶 and 高山乌龙茶: meaning may tell them apart; else ask which.
        closest = _closest_name(catalog, vector, tied)
        return (closest, "retrieved", []) if closest else (None, "unclear", tied[:MAX_CANDIDATES])
    if coverage >= NAME_LINK_MIN or (
        coverage >= PARTIAL_NAME_MIN and coverage - runner_up >= PARTIAL_NAME_LEAD
    ):
        return best, "named", []
    found = described()
    if found:
        return found, "retrieved", []
    if not refers_to_stage(text):
        # A faint word of a name: retrieval decides among the names it matches.
        hits = catalog.products.search(text, k=1, query_vector=vector)
        if hits and hits[0].doc.id in tied:
            return hits[0].doc.id, "retrieved", []
    return stage


def _closest_name(
    catalog: CatalogIndex, vector: npt.NDArray[np.float32], skus: list[str]
) -> str | None:
    """Among some products, the one whose name is clearly closest in meaning to the question."""
    position = {sku: i for i, sku in enumerate(catalog.skus)}
    sims = sorted(
        ((float(catalog.name_vectors[position[sku]] @ vector), sku) for sku in skus), reverse=True
    )
    if len(sims) > 1 and sims[0][0] - sims[1][0] >= NAME_MEANING_LEAD:
        return sims[0][1]
    return None


def _described_product(
    catalog: CatalogIndex, text: str, vector: npt.NDArray[np.float32], names: Embedder
) -> str | None:
    """The product whose name is clearly the closest in meaning, in either language."""
    if len(catalog.skus) < 2:
        return None
    sims = catalog.name_vectors @ vector
    first, second = np.argsort(-sims)[:2]
    if sims[first] - sims[second] >= NAME_MEANING_LEAD:
        return str(catalog.skus[first])
    # The name embedder loads on first use (seconds), so only questions that get here pay.
    if catalog.cross_lingual_names is None:
        catalog.cross_lingual_names = names.encode_passages(catalog.names)
    sims = catalog.cross_lingual_names @ names.encode_queries([text])[0]
    first, second = np.argsort(-sims)[:2]
    if sims[first] >= CROSS_LINGUAL_MIN and sims[first] - sims[second] >= CROSS_LINGUAL_LEAD:
        return str(catalog.skus[first])
    return None


def _status_policy(
    catalog: CatalogIndex, embedder: Embedder, orders: Sequence[Order]
) -> Evidence | None:
    """The policy that explains an order still waiting to ship, found by its status's words.

    "paid, waiting to ship" alone is no answer to "还没发货吗"; the shop's dispatch policy
    completes it, whatever the question's own wording.
    """
    waiting = [o for o in orders if o.status in NOT_YET_SHIPPED]
    if not waiting or not catalog.policies.documents:
        return None
    # The status in both languages: its words match a policy written in either.
    status = waiting[0].status
    query = f"{wording.status('zh', status)} {wording.status('en', status)}"
    dense, lexical = catalog.policies.raw_scores(query, embedder.encode_queries([query])[0])
    best = int(np.argmax(dense))
    if lexical[best] <= 0 and dense[best] - float(np.median(dense)) < STATUS_POLICY_LEAD:
        return None  # neither a shared word nor a clear lead in meaning
    doc = catalog.policies.documents[best]
    return Evidence(kind="faq", id=doc.id, text=str(doc.meta["a"]), relevance=float(dense[best]))


def _agreed(
    documents: list[Document], dense: npt.NDArray[np.float32], lexical: npt.NDArray[np.float32]
) -> str:
    """The id of the document both rankings put first ("" when they differ or no word is shared)."""
    if not len(dense) or lexical.max(initial=0.0) <= 0:
        return ""
    best = int(np.argmax(dense))
    return documents[best].id if best == int(np.argmax(lexical)) else ""


def refers_to_stage(text: str) -> bool:
    """Whether the question points at "this one" with a demonstrative."""
    return bool(_DEMONSTRATIVE_ZH.search(text) or _DEMONSTRATIVE_EN.search(text))


def stage_timeline(session: Session, indexes: RoomIndexes, room_id: str) -> list[StageSpan]:
    """Which product was on stage over the stream: spans of (start, end, sku)."""
    room = RoomRepository(session).get(room_id)
    if room is None:
        return []
    transcript = indexes.transcript(
        session, room_id, indexes.catalog(session, room_id, room.kb_version)
    )
    spans: list[StageSpan] = []
    for start, end, sku in zip(
        transcript.starts, transcript.ends, transcript.on_stage, strict=True
    ):
        if spans and spans[-1].sku == sku and start - spans[-1].end <= STAGE_LOOKBACK_S:
            spans[-1].end = float(end)
        elif sku is not None:
            spans.append(StageSpan(start=start, end=float(end), sku=sku))
    return spans


def on_stage_at(
    session: Session, indexes: RoomIndexes, room_id: str, at: float | None = None
) -> str | None:
    """The sku on stage at a moment of the stream (default: its end), if any."""
    room = RoomRepository(session).get(room_id)
    if room is None:
        return None
    transcript = indexes.transcript(
        session, room_id, indexes.catalog(session, room_id, room.kb_version)
    )
    moment = at if at is not None else TranscriptRepository(session, room_id).end_time()
    return _on_stage(transcript, moment)


def gather(
    session: Session,
    *,
    indexes: RoomIndexes,
    room_id: str,
    viewer_id: str,
    text: str,
    at: float | None,
    understanding: Understanding,
) -> Context:
    """Collect the evidence a question may need; orders only ever the viewer's own."""
    room = RoomRepository(session).get(room_id)
    assert room is not None, "admit checks the room exists"
    catalog = indexes.catalog(session, room_id, room.kb_version)
    transcript = indexes.transcript(session, room_id, catalog)
    moment = at if at is not None else TranscriptRepository(session, room_id).end_time()
    vector = indexes.embedder.encode_queries([text])[0]

    on_stage = _on_stage(transcript, moment)
    sku, source, candidates = _resolve_product(catalog, text, vector, indexes.names, on_stage)
    products = CatalogRepository(session, room_id)
    product = products.product(sku) if sku else None

    # Scored once: the ranking, the background and the agreement all read these.
    all_policy_scores, policy_words = catalog.policies.raw_scores(text, vector)
    policies = [
        Evidence(kind="faq", id=hit.doc.id, text=str(hit.doc.meta["a"]), relevance=hit.dense)
        for hit in catalog.policies.ranked(all_policy_scores, policy_words, k=POLICY_HITS)
    ]
    orders_repo = OrderRepository(session, viewer_id)
    if understanding.order_ids:
        owned = orders_repo.by_ids(understanding.order_ids)
        owned_ids = {o.order_id for o in owned}
        unknown = [i for i in understanding.order_ids if i not in owned_ids]
    else:
        owned, unknown = orders_repo.recent(), []

    order_question = reads_as_order(understanding)
    return Context(
        room_id=room_id,
        viewer_id=viewer_id,
        text=text,
        at=moment,
        understanding=understanding,
        kb_version=room.kb_version,
        currency=catalog.currency,
        product=product_view(product) if product else None,
        product_source=source if product else "",
        product_candidates=[p.name for p in map(products.product, candidates) if p is not None],
        policies=policies,
        policy_background=float(np.median(all_policy_scores)) if len(all_policy_scores) else 0.0,
        policy_agreed=_agreed(catalog.policies.documents, all_policy_scores, policy_words),
        transcript=_search_transcript(transcript, text, vector, moment),
        promotions=_search_promotions(
            transcript,
            text,
            vector,
            moment,
            product_view(product) if product else None,
            named=source in ("named", "retrieved"),
        ),
        recent_transcript=_recent_transcript(transcript, moment),
        orders=[order_view(o) for o in owned],
        status_policy=_status_policy(catalog, indexes.embedder, owned) if order_question else None,
        unknown_order_ids=unknown,
        other_viewers_named=foreign_account_ids(
            text,
            viewer_id=viewer_id,
            known={*catalog.skus, *understanding.order_ids, *(o.order_id for o in owned)},
            understanding=understanding,
        ),
        catalog_names=list(catalog.names),
    )
