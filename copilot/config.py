"""The one Settings object; every variable has the COPILOT_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_QUESTION_CHARS = 500
TOKEN_TTL_S = 12 * 3600  # a staff shift; viewers' sessions last as long unless the shop says


class Settings(BaseSettings):
    """Runtime configuration, from the environment (COPILOT_*) with embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_", extra="ignore")

    home: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    # The address viewers and agents reach this service at (replay links); empty: the
    # address each request came in on.
    public_url: str = ""
    embedder: str = "e5"
    embedder_model_path: str = ""
    name_embedder: str = "use"
    max_question_chars: int = MAX_QUESTION_CHARS
    asr_model: str = "base"  # base (multilingual), tiny.en, or a CTranslate2 folder
    asr_language: str = ""  # empty: detected per utterance; "zh" or "en" pins it
    asr_threads: int = 1  # on 2 cores, 1 decodes as fast as 2 and leaves a core to the server
    asr_beam_size: int = 5
    max_voice_question_seconds: float = 30.0
    host: str = "127.0.0.1"
    # Threads running route bodies at once (anyio's limiter, 40 by default). On 2 cores, 40
    # CPU-bound threads make every database round trip queue for the GIL behind the others:
    # with 8, PostgreSQL under `python -m evals.load` went from p99 3.4-4.7 s to 2.1-2.4 s
    # with SQLite unchanged (docs/evaluation.md, "Load").
    worker_threads: int = 8
    port: int = 8000
    # Identity: tokens are signed with this key; empty means one generated into COPILOT_HOME.
    secret_key: str = ""
    token_ttl_s: float = TOKEN_TTL_S
    # Browser-side safety: Host headers served (besides loopback), and CORS (off when empty).
    allowed_hosts: list[str] = []
    cors_origins: list[str] = []
    # The demo's viewer picker: only `copilot demo` turns it on.
    demo: bool = False
    # Tickets: service targets (s), round-robin among agents whose console beat within
    # presence_ttl_s and who hold fewer than agent_max_open, and how long a resolved ticket
    # comes back (rather than a new one) when the viewer needs a person again.
    sla_first_response_s: float = 120.0
    sla_resolution_s: float = 1800.0
    auto_assign: bool = True
    agent_max_open: int = 5
    presence_ttl_s: float = 45.0
    ticket_reopen_s: float = 24 * 3600.0
    # Rate limits (0 turns one off): questions per viewer per minute with a burst,
    # and per room per second.
    rate_viewer_per_min: float = 20.0
    rate_viewer_burst: int = 5
    rate_room_per_s: float = 50.0
    rate_room_burst: int = 100
    # Host prompts: a topic asked by prompt_min_viewers unique viewers within
    # prompt_window_s stream seconds is pushed to the host; once answered on air or
    # dismissed it is not pushed again for prompt_cooldown_s.
    prompt_window_s: float = 120.0
    prompt_min_viewers: int = 5
    prompt_cooldown_s: float = 300.0
    # The composer: "grounded" (templates, the embedded default) or "llm" (any
    # OpenAI-compatible endpoint words the grounded answer; the grounded one is the fallback
    # when it times out: no first token within llm_first_token_s, or not done in
    # llm_timeout_s).
    composer: Literal["grounded", "llm"] = "grounded"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_first_token_s: float = 3.0
    llm_timeout_s: float = 8.0
    # The LLM also reads each question's intent, lifting its label over the classifier's
    # (off: on the real-wording sets it measured worse, docs/llm_composer.md).
    llm_understand: bool = False

    @model_validator(mode="after")
    def _llm_configured(self) -> Settings:
        """An LLM composer must say where its endpoint is: no silent fallback for ever."""
        uses_llm = self.composer == "llm" or self.llm_understand
        if uses_llm and not (self.llm_base_url and self.llm_model):
            raise ValueError(
                "COPILOT_COMPOSER=llm and COPILOT_LLM_UNDERSTAND need COPILOT_LLM_BASE_URL"
                " and COPILOT_LLM_MODEL"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        self.home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.home / 'copilot.db').resolve()}"

    def public_base(self, request_base: str = "") -> str:
        """Where links point: COPILOT_PUBLIC_URL, else the request's, else host and port."""
        base = self.public_url or request_base or f"http://{self.host}:{self.port}"
        return base.rstrip("/")

    @property
    def embedding_cache_path(self) -> Path:
        """Where passage vectors are cached between runs."""
        return self.home / "embeddings.sqlite"

    @property
    def audio_dir(self) -> Path:
        """Where each room's stream audio is kept (transcripts.archive.AudioArchive)."""
        return self.home / "audio"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
