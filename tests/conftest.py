"""Shared fixtures: models load once per test session; each database is real."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from copilot.accounts.service import mint_token
from copilot.config import Settings
from copilot.runtime import Copilot
from evals.runner import load_dataset
from knowledge.embedder import Embedder
from transcripts.asr.decoder import WhisperDecoder

pytest_plugins = ["tests.llm_server"]  # the session-wide local LLM server (local_llm)
MINI = Path(__file__).parent / "data" / "mini"
TEST_HOSTS = ["testserver"]  # TestClient's Host header; loopback is always allowed
# Tests ask many questions per viewer in a row; tests/api/test_rate_limits.py sets its own.
NO_RATE_LIMITS: dict[str, Any] = {"rate_viewer_per_min": 0.0, "rate_room_per_s": 0.0}


def token(
    copilot: Copilot, role: str, *, room_id: str | None = None, viewer_id: str | None = None
) -> str:
    """A signed token for tests: role admin, or viewer/host with room_id (and viewer_id)."""
    minted, _ = mint_token(
        copilot.settings, role=role, subject=viewer_id or role, room_id=room_id, viewer_id=viewer_id
    )
    return minted


def bearer(
    copilot: Copilot,
    role: str = "admin",
    *,
    room_id: str | None = None,
    viewer_id: str | None = None,
) -> dict[str, str]:
    """The Authorization header of such a token."""
    return {"Authorization": f"Bearer {token(copilot, role, room_id=room_id, viewer_id=viewer_id)}"}


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory per test session: model and embedding caches are shared."""
    return tmp_path_factory.mktemp("copilot-home")


@pytest.fixture(scope="session")
def sqlite_copilot(home: Path) -> Copilot:
    """A Copilot on a SQLite file, with its models loaded."""
    copilot = Copilot(
        Settings(home=home, public_url="http://test", allowed_hosts=TEST_HOSTS, **NO_RATE_LIMITS)
    )
    copilot.warm_up()
    return copilot


@pytest.fixture(scope="session")
def embedder(sqlite_copilot: Copilot) -> Embedder:
    """The bundled embedder, loaded once."""
    return sqlite_copilot.embedder


@pytest.fixture(scope="session")
def asr_decoder(sqlite_copilot: Copilot) -> WhisperDecoder:
    """The bundled multilingual Whisper base, loaded once."""
    return sqlite_copilot.asr_decoder


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL database (make test starts it and sets the variable)."""
    url = os.environ.get("COPILOT_TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("COPILOT_TEST_DATABASE_URL is not set (run `make test`)")
    return url


@pytest.fixture(scope="session")
def postgres_copilot(home: Path, postgres_url: str, embedder: Embedder) -> Copilot:
    """A Copilot on PostgreSQL sharing the loaded models."""
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    with engine.begin() as connection:  # a clean schema for this session
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    settings = Settings(
        home=home,
        database_url=postgres_url,
        public_url="http://test",
        allowed_hosts=TEST_HOSTS,
        **NO_RATE_LIMITS,
    )
    return Copilot(settings, embedder=embedder)


@pytest.fixture(params=["sqlite", "postgres"])
def any_copilot(request: pytest.FixtureRequest) -> Copilot:
    """Runs a test once on SQLite and once on PostgreSQL."""
    name = "sqlite_copilot" if request.param == "sqlite" else "postgres_copilot"
    copilot: Copilot = request.getfixturevalue(name)
    return copilot


def new_room(copilot: Copilot, folder: Path = MINI) -> str:
    """Load a dataset folder into a fresh room with a unique id."""
    room = f"t-{uuid.uuid4().hex[:8]}"
    load_dataset(copilot, folder, room)
    return room


@pytest.fixture
def mini_room(sqlite_copilot: Copilot) -> str:
    """The mini dataset in a fresh SQLite room."""
    return new_room(sqlite_copilot)


@pytest.fixture
def client(sqlite_copilot: Copilot) -> Iterator[TestClient]:
    """The API over the session's SQLite copilot, called with an admin (integration) token."""
    with TestClient(
        create_app(copilot=sqlite_copilot), headers=bearer(sqlite_copilot)
    ) as test_client:
        yield test_client


@pytest.fixture
def anonymous(sqlite_copilot: Copilot) -> Iterator[TestClient]:
    """The API over the session's SQLite copilot, called without any token."""
    with TestClient(create_app(copilot=sqlite_copilot)) as test_client:
        yield test_client
