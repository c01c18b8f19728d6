"""Heavy objects built once per process: database, embedder, classifier, indexes, composer, bus."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from copilot.answer import AnswerComposer, GroundedComposer
from copilot.bus import Bus, build_bus
from copilot.config import Settings
from copilot.db import Database, migrate
from copilot.delivery import Delivery
from copilot.hostprompts.features import TopicFeatures
from copilot.hostprompts.lifecycle import PromptRules
from copilot.hostprompts.service import HostPrompts, RedisLease, SoleLease
from copilot.ratelimit import Rate, RateLimiter, build_rate_limiter, enforce_question_rate
from copilot.retrieval import RoomIndexes
from copilot.understand import IntentClassifier
from copilot.understand.host_lines import PromotionLineClassifier
from knowledge.embedder import Embedder, build_embedder
from knowledge.repository import RoomRepository
from transcripts.archive import AudioArchive

if TYPE_CHECKING:  # heavy imports only the paths that use them pay for (speech, LLM)
    from langchain_core.language_models import BaseChatModel

    from copilot.understand.llm_reader import LlmIntentReader
    from transcripts.asr.decoder import WhisperDecoder
    from transcripts.asr.streaming import StreamOptions


INTENT_LABEL_TOKENS = 8  # one label


class Copilot:
    """The process-wide services; models load lazily so light commands stay light."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        migrate(self.db.engine)
        if embedder is not None:  # share one loaded model between instances (tests, workers)
            self.__dict__["embedder"] = embedder

    @cached_property
    def embedder(self) -> Embedder:
        """The sentence embedder, with passage vectors cached on disk."""
        return build_embedder(
            self.settings.embedder,
            model_path=self.settings.embedder_model_path,
            cache_path=self.settings.embedding_cache_path,
        )

    @cached_property
    def classifier(self) -> IntentClassifier:
        """The intent classifier (trained once, then loaded from the data directory)."""
        return IntentClassifier(self.embedder, cache_dir=self.settings.home / "models")

    @cached_property
    def indexes(self) -> RoomIndexes:
        """Per-room catalog and transcript indexes."""
        return RoomIndexes(self.embedder, self.promotion_lines, self.name_embedder)

    @cached_property
    def name_embedder(self) -> Embedder:
        """Links product references across languages (USE multilingual: strong on zh-en pairs)."""
        return build_embedder(
            self.settings.name_embedder, cache_path=self.settings.embedding_cache_path
        )

    @cached_property
    def promotion_lines(self) -> PromotionLineClassifier:
        """Which host lines announce promotions."""
        return PromotionLineClassifier(self.embedder, cache_dir=self.settings.home / "models")

    @cached_property
    def composer(self) -> AnswerComposer:
        """The answer composer: the grounded one, or an LLM wording its answers."""
        grounded = GroundedComposer(self.embedder)
        settings = self.settings
        if settings.composer != "llm":
            return grounded
        from copilot.answer.llm import MAX_ANSWER_TOKENS, LlmComposer  # langchain only when used

        return LlmComposer(
            grounded,
            self._chat_model(MAX_ANSWER_TOKENS),
            first_token_s=settings.llm_first_token_s,
            total_s=settings.llm_timeout_s,
            on_partial=lambda context, text: self.delivery.answer_so_far(
                context.room_id, context.viewer_id, text
            ),
        )

    @cached_property
    def intent_reader(self) -> LlmIntentReader | None:
        """The LLM's second reading of each question's intent, when the shop turns it on."""
        settings = self.settings
        if not settings.llm_understand:
            return None
        from copilot.understand.llm_reader import LlmIntentReader

        return LlmIntentReader(self._chat_model(INTENT_LABEL_TOKENS))

    def _chat_model(self, max_tokens: int) -> BaseChatModel:
        """The configured endpoint as a chat model, its replies capped at `max_tokens`."""
        from copilot.answer.llm import chat_model

        settings = self.settings
        return chat_model(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            first_token_s=settings.llm_first_token_s,
            max_tokens=max_tokens,
        )

    @cached_property
    def bus(self) -> Bus:
        """The event bus (Redis when configured)."""
        return build_bus(self.settings.redis_url)

    @cached_property
    def delivery(self) -> Delivery:
        """Wakes this process's chat and queue streams when their store changes."""
        return Delivery(self.bus)

    @cached_property
    def host_prompts(self) -> HostPrompts:
        """Clusters the rooms' questions into prompts for the host (once `start`ed)."""
        settings = self.settings
        rules = PromptRules(
            window_s=settings.prompt_window_s,
            min_viewers=settings.prompt_min_viewers,
            cooldown_s=settings.prompt_cooldown_s,
        )
        lease = RedisLease(settings.redis_url) if settings.redis_url else SoleLease()
        return HostPrompts(self.db, TopicFeatures(self.name_embedder), self.bus, rules, lease)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Token buckets per viewer and room (Redis when configured, shared by every worker)."""
        return build_rate_limiter(self.settings.redis_url)

    def question_rates(self) -> tuple[Rate, Rate]:
        """The configured (viewer, room) rates; a rate of 0 is unlimited."""
        settings = self.settings
        viewer = Rate(settings.rate_viewer_per_min / 60, settings.rate_viewer_burst)
        return viewer, Rate(settings.rate_room_per_s, settings.rate_room_burst)

    def check_question_rate(self, room_id: str, viewer_id: str) -> None:
        """Raise TooManyRequests when this viewer or room asks faster than configured."""
        viewer, room = self.question_rates()
        enforce_question_rate(
            self.rate_limiter, viewer=viewer, room=room, room_id=room_id, viewer_id=viewer_id
        )

    @cached_property
    def archive(self) -> AudioArchive:
        """Every room's stream audio, kept for replay."""
        return AudioArchive(self.settings.audio_dir)

    @cached_property
    def asr_decoder(self) -> WhisperDecoder:
        """The Whisper model every audio stream and voice question shares."""
        from transcripts.asr.decoder import WhisperDecoder
        from transcripts.asr.models import is_multilingual, load_whisper

        settings = self.settings
        model = load_whisper(settings.asr_model, settings.home / "models", settings.asr_threads)
        return WhisperDecoder(model, multilingual=is_multilingual(settings.asr_model))

    def stream_options(self, language: str | None = None) -> StreamOptions:
        """The streaming policy, with the configured language unless a stream names its own."""
        from transcripts.asr.streaming import StreamOptions

        return StreamOptions(
            language=language or self.settings.asr_language or None,
            beam_size=self.settings.asr_beam_size,
        )

    def warm_up(self, *, rooms: bool = False) -> None:
        """Load every model (and with `rooms`, build every room's indexes) before any question."""
        _ = self.classifier, self.indexes, self.composer
        if rooms:
            # Builds read only: a write session would hold SQLite's write lock meanwhile.
            with self.db.read_scope() as session:
                for room in RoomRepository(session).list():
                    self.indexes.warm(session, room.id)
