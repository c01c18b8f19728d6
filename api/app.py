"""The FastAPI application: the lifespan builds the models once; one handler per error class."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from api.errors import ERROR_RESPONSES, install_error_handlers
from api.pages import router as pages_router
from api.routes import (
    audio,
    auth,
    chat,
    host_prompts,
    loading,
    questions,
    replay,
    tickets,
    viewers,
)
from api.security import HostAllowlist, PublicRoute, allowed_hosts, document_security
from copilot.config import Settings, get_settings
from copilot.logmask import install_log_masking
from copilot.runtime import Copilot


def create_app(settings: Settings | None = None, copilot: Copilot | None = None) -> FastAPI:
    """Build the app; pass a ready Copilot to share models (tests) or let the lifespan build one."""

    settings = copilot.settings if copilot is not None else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_masking()  # after uvicorn configured its loggers
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        app.state.copilot = copilot or Copilot(settings)
        app.state.copilot.warm_up(rooms=True)
        app.state.copilot.host_prompts.start()
        yield

    # FastAPIOffline serves Swagger UI and ReDoc from the package's own copies (no CDN), so
    # /docs works on a machine without internet; the bearer token pasted under "Authorize"
    # survives a reload of the page. `responses` declares the error statuses (and the one
    # error body) on every operation, those of routers included later too.
    app = FastAPIOffline(
        title="Live-commerce copilot",
        version="0.1.0",
        description="Grounded answers for live-stream shopping, with escalation to agents.",
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": True},
        responses=ERROR_RESPONSES,
    )

    install_error_handlers(app)

    @app.get("/healthz", tags=["health"], dependencies=[PublicRoute])
    def healthz() -> dict[str, str | bool]:
        """Liveness; `demo` tells the chat page whether to offer the demo viewer picker."""
        return {"status": "ok", "demo": settings.demo}

    app.include_router(auth.router)
    app.include_router(questions.router)
    app.include_router(audio.router)
    app.include_router(loading.router)
    app.include_router(chat.router)
    app.include_router(tickets.router)
    app.include_router(host_prompts.router)
    app.include_router(replay.router)
    app.include_router(viewers.router)
    app.include_router(pages_router)
    document_security(app)
    # Tokens travel in headers, never in cookies, so a cross-site request carries no identity;
    # CORS stays off unless a shop names the origins of its own front end.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    app.add_middleware(HostAllowlist, hosts=allowed_hosts(settings))
    return app
