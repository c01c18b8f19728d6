"""Online clustering of a room's questions into topics over a sliding window.

Each question joins the most similar live topic (meaning from a multilingual sentence
embedding, wording from character n-grams, and the product it is about) or starts its own;
nothing is re-clustered: one matrix product against the topics' centroids per question.
A topic's count is its unique viewers inside the window, so one viewer repeating themselves
counts once. Topics that became prompts outlive the window, so a topic asked again later
joins its old prompt instead of making a second one.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

# Chosen on simulated streams (docs/host_prompts.md, "Figures"): the combined similarity is
# semantic + LEXICAL_WEIGHT * lexical + SAME_INTENT_BONUS. Shared wording only adds: a
# Chinese and an English wording of one question share no characters. The product the
# copilot resolved is a hard key: with names cut out, "这个多少钱" about two products is
# the same text, and a topic that took several products would soak up every price question.
LEXICAL_WEIGHT = 0.3
JOIN_MIN = 0.6
# Two topics whose centroids come this close are one (a wording that started its own topic
# before the topic's centroid had settled); centroids are smoother than single questions.
MERGE_MIN = 0.7
SAME_INTENT_BONUS = 0.05  # the classifier's reading is weak evidence of the same question
# A question compared with a topic asked only in the other language shares no wording with
# it, and the embedding puts translations less close than paraphrases: this makes up for the
# lexical evidence such a pair cannot have.
CROSS_LANGUAGE_ALLOWANCE = 0.1
SAMPLES_KEPT = 5
INITIAL_ROWS = 256
EXPIRY_STEP_S = 1.0  # the window slides in steps: one pass over the topics a second, not a question


@dataclass(frozen=True)
class Question:
    """One admitted question, with its vectors (L2-normalised) and what the copilot did."""

    viewer_id: str
    text: str
    at: float  # stream seconds
    language: str
    intent: str
    product_sku: str | None
    semantic: np.ndarray
    lexical: np.ndarray
    answer: str | None = None  # the copilot's answer, when it answered from its sources


@dataclass(frozen=True)
class Member:
    """What a topic keeps of a question while it is inside the window."""

    viewer_id: str
    text: str
    at: float
    language: str
    semantic: np.ndarray


@dataclass
class Topic:
    """A cluster: its centroid sums, the members inside the window, and its prompt."""

    id: int
    row: int  # its centroid's row in the clusterer's matrices
    semantic_sum: np.ndarray
    lexical_sum: np.ndarray
    product_sku: str | None
    window: deque[Member] = field(default_factory=deque)
    intents: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # distinct wordings, latest last
    answers: list[str] = field(default_factory=list)  # the copilot's answers to members
    answered: int = 0  # members the copilot answered from its sources
    asked: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    prompt_id: str | None = None
    status: str = ""  # the prompt's: "open", "answered" or "dismissed"
    acknowledged: bool = False  # the host has seen it and will answer
    viewers_since_open: set[str] = field(default_factory=set)
    # Answered on air or dismissed at this stream second: only later askers count again.
    quiet_since: float | None = None
    answered_by: str = ""  # the host's line that answered it
    opened_at: float | None = None  # stream second it was first pushed
    viewers_ever: set[str] = field(default_factory=set)
    # (semantic, lexical) sums of the members in each language: the host answers in one, and
    # a topic asked in two has a centroid between them that matches a line in either less.
    by_language: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def semantic_centroid(self) -> np.ndarray:
        """The normalised semantic centroid."""
        return _unit(self.semantic_sum)

    def viewers_in_window(self) -> set[str]:
        """Unique viewers inside the window who asked after the topic last went quiet."""
        since = self.quiet_since if self.quiet_since is not None else -np.inf
        return {m.viewer_id for m in self.window if m.at >= since}

    @property
    def sources_answer(self) -> bool:
        """Whether the copilot answered most askers from its sources: one lucky answer among
        askers it escalated does not make a topic the host need not answer."""
        return 2 * self.answered > self.asked

    def suggested_answer(self) -> str | None:
        """The copilot's latest answer to a member, when its sources answer the topic."""
        return self.answers[-1] if self.sources_answer and self.answers else None

    @property
    def intent(self) -> str:
        """The members' most frequent intent."""
        return self.intents.most_common(1)[0][0] if self.intents else ""

    def representative(self) -> str:
        """The wording nearest the centroid among the window's members: the audience's words."""
        if not self.window:
            return self.samples[-1] if self.samples else ""
        centroid = self.semantic_centroid()
        best = max(self.window, key=lambda m: (float(m.semantic @ centroid), -len(m.text)))
        return best.text


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class TopicClusterer:
    """One room's topics; `add` takes questions in non-decreasing stream time."""

    def __init__(self, window_s: float, *, keep_retired: bool = False) -> None:
        self.window_s = window_s
        self.topics: dict[int, Topic] = {}
        # Topics that left the window without a prompt, kept for a show's review.
        self.retired: list[Topic] | None = [] if keep_retired else None
        self._by_row: dict[int, Topic] = {}
        self._free_rows: list[int] = []
        self._semantic = np.zeros((0, 0), dtype=np.float32)
        self._lexical = np.zeros((0, 0), dtype=np.float32)
        self._products: list[str | None] = []
        self._intents: list[str] = []
        self._languages: list[frozenset[str]] = []
        self._live = np.zeros(0, dtype=bool)
        self._next_id = 1
        self._expired_at = -np.inf

    def scores(self, semantic: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """Combined similarity of one text to every row (dead rows score -inf)."""
        if not len(self._live):
            return np.zeros(0)
        combined = self._semantic @ semantic + LEXICAL_WEIGHT * (self._lexical @ lexical)
        return np.where(self._live, combined, -np.inf)

    def line_scores(
        self, semantic: np.ndarray, lexical: np.ndarray, language: str
    ) -> dict[int, float]:
        """Each live topic's best combined similarity to any of a line's pieces (rows), by id,
        against the topic's members in the line's language when it has some."""
        scores = {}
        for topic in self.topics.values():
            topic_semantic, topic_lexical = topic.by_language.get(
                language, (topic.semantic_sum, topic.lexical_sum)
            )
            combined = semantic @ _unit(topic_semantic) + LEXICAL_WEIGHT * (
                lexical @ _unit(topic_lexical)
            )
            scores[topic.id] = float(combined.max()) if len(combined) else -np.inf
        return scores

    def add(self, question: Question) -> Topic:
        """Place a question in its topic (a new one when none is near enough)."""
        self.expire(question.at)
        scores = self.scores(question.semantic, question.lexical)
        if len(scores):
            same_intent = np.fromiter((i == question.intent for i in self._intents), dtype=bool)
            scores = np.where(
                self._product_mismatch(question.product_sku),
                -np.inf,
                scores
                + SAME_INTENT_BONUS * same_intent
                + CROSS_LANGUAGE_ALLOWANCE * self._other_languages({question.language}),
            )
        best_row = int(np.argmax(scores)) if len(scores) else -1
        if best_row >= 0 and scores[best_row] >= JOIN_MIN:
            topic = self._by_row[best_row]
        else:
            topic = self._new_topic(question)
        self._join(topic, question)
        return self._merge_nearest(topic)

    def _product_mismatch(self, product_sku: str | None) -> np.ndarray:
        """Rows whose topic is about another product, or about one when this is about none."""
        return np.fromiter((p != product_sku for p in self._products), dtype=bool)

    def _other_languages(self, languages: set[str]) -> np.ndarray:
        """Rows whose topic was asked in none of these languages."""
        return np.fromiter((not (known & languages) for known in self._languages), dtype=bool)

    def _merge_nearest(self, topic: Topic) -> Topic:
        """Merge the topic with its nearest neighbour if they have become one; the survivor."""
        semantic, lexical = self._semantic[topic.row], self._lexical[topic.row]
        scores = self.scores(semantic, lexical)
        scores = scores + CROSS_LANGUAGE_ALLOWANCE * self._other_languages(set(topic.by_language))
        scores[topic.row] = -np.inf
        scores = np.where(self._product_mismatch(topic.product_sku), -np.inf, scores)
        row = int(np.argmax(scores))
        if scores[row] < MERGE_MIN:
            return topic
        neighbour = self._by_row[row]
        if topic.prompt_id is not None and neighbour.prompt_id is not None:
            return topic  # two prompts the host has seen stay two
        keep, gone = (
            (topic, neighbour) if _weight(topic) >= _weight(neighbour) else (neighbour, topic)
        )
        self._absorb(keep, gone)
        return keep

    def _absorb(self, keep: Topic, gone: Topic) -> None:
        keep.semantic_sum = keep.semantic_sum + gone.semantic_sum
        keep.lexical_sum = keep.lexical_sum + gone.lexical_sum
        keep.window = deque(sorted([*keep.window, *gone.window], key=lambda m: m.at))
        keep.intents.update(gone.intents)
        for language, (semantic_sum, lexical_sum) in gone.by_language.items():
            mine = keep.by_language.get(language)
            keep.by_language[language] = (
                (semantic_sum, lexical_sum)
                if mine is None
                else (mine[0] + semantic_sum, mine[1] + lexical_sum)
            )
        keep.samples = [*[s for s in gone.samples if s not in keep.samples], *keep.samples][
            -SAMPLES_KEPT:
        ]
        keep.answers = [*gone.answers, *keep.answers][-SAMPLES_KEPT:]
        keep.answered += gone.answered
        keep.asked += gone.asked
        keep.viewers_ever |= gone.viewers_ever
        keep.first_at = min(keep.first_at, gone.first_at)
        keep.last_at = max(keep.last_at, gone.last_at)
        if keep.prompt_id is None and gone.prompt_id is not None:
            for name in ("prompt_id", "status", "acknowledged", "opened_at", "answered_by"):
                setattr(keep, name, getattr(gone, name))
            keep.viewers_since_open = gone.viewers_since_open
            keep.quiet_since = gone.quiet_since
        elif keep.prompt_id is not None:
            keep.viewers_since_open |= {m.viewer_id for m in gone.window}
        self._drop(gone)
        self._semantic[keep.row] = _unit(keep.semantic_sum)
        self._lexical[keep.row] = _unit(keep.lexical_sum)
        self._intents[keep.row] = keep.intent
        self._languages[keep.row] = frozenset(keep.by_language)

    def _drop(self, topic: Topic) -> None:
        del self.topics[topic.id]
        del self._by_row[topic.row]
        self._live[topic.row] = False
        self._products[topic.row] = None
        self._intents[topic.row] = ""
        self._languages[topic.row] = frozenset()
        self._free_rows.append(topic.row)

    def _new_topic(self, question: Question) -> Topic:
        row = self._take_row(len(question.semantic), len(question.lexical))
        topic = Topic(
            id=self._next_id,
            row=row,
            semantic_sum=np.zeros_like(question.semantic),
            lexical_sum=np.zeros_like(question.lexical),
            product_sku=question.product_sku,
            first_at=question.at,
        )
        self._next_id += 1
        self.topics[topic.id] = topic
        self._by_row[row] = topic
        self._live[row] = True
        return topic

    def _take_row(self, semantic_dim: int, lexical_dim: int) -> int:
        if not self._free_rows:
            old = len(self._live)
            rows = max(INITIAL_ROWS, 2 * old)
            self._semantic = _grown(self._semantic, rows, semantic_dim)
            self._lexical = _grown(self._lexical, rows, lexical_dim)
            self._live = np.concatenate([self._live, np.zeros(rows - old, dtype=bool)])
            self._products.extend([None] * (rows - old))
            self._intents.extend([""] * (rows - old))
            self._languages.extend([frozenset()] * (rows - old))
            self._free_rows = list(range(rows - 1, old - 1, -1))
        return self._free_rows.pop()

    def _join(self, topic: Topic, question: Question) -> None:
        topic.window.append(
            Member(
                viewer_id=question.viewer_id,
                text=question.text,
                at=question.at,
                language=question.language,
                semantic=question.semantic,
            )
        )
        topic.semantic_sum = topic.semantic_sum + question.semantic
        topic.lexical_sum = topic.lexical_sum + question.lexical
        semantic_sum, lexical_sum = topic.by_language.get(
            question.language, (np.zeros_like(question.semantic), np.zeros_like(question.lexical))
        )
        topic.by_language[question.language] = (
            semantic_sum + question.semantic,
            lexical_sum + question.lexical,
        )
        topic.asked += 1
        topic.viewers_ever.add(question.viewer_id)
        topic.intents[question.intent] += 1
        topic.last_at = question.at
        if question.text in topic.samples:
            topic.samples.remove(question.text)
        topic.samples = [*topic.samples, question.text][-SAMPLES_KEPT:]
        if question.answer:
            topic.answered += 1
            topic.answers = [*topic.answers, question.answer][-SAMPLES_KEPT:]
        if topic.prompt_id is not None and (
            topic.quiet_since is None or question.at >= topic.quiet_since
        ):
            topic.viewers_since_open.add(question.viewer_id)
        self._semantic[topic.row] = _unit(topic.semantic_sum)
        self._lexical[topic.row] = _unit(topic.lexical_sum)
        self._products[topic.row] = topic.product_sku
        self._intents[topic.row] = topic.intent
        self._languages[topic.row] = frozenset(topic.by_language)

    def expire(self, now: float) -> None:
        """Drop members older than the window; topics left empty go unless they are prompts."""
        if now - self._expired_at < EXPIRY_STEP_S:
            return
        self._expired_at = now
        horizon = now - self.window_s
        for topic_id in list(self.topics):
            topic = self.topics[topic_id]
            while topic.window and topic.window[0].at < horizon:
                topic.window.popleft()
            if not topic.window and topic.prompt_id is None:
                if self.retired is not None:
                    self.retired.append(topic)
                self._drop(topic)


def _weight(topic: Topic) -> tuple[bool, int]:
    """Which of two merging topics survives: the one with a prompt, else the larger."""
    return topic.prompt_id is not None, topic.asked


def _grown(matrix: np.ndarray, rows: int, dim: int) -> np.ndarray:
    grown = np.zeros((rows, dim), dtype=np.float32)
    if matrix.size:
        grown[: len(matrix)] = matrix
    return grown
