"""The FastAPI application: the lifespan builds the models once; one handler per error class."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.pages import router as pages_router
from api.routes import audio, loading, questions, replay, tickets
from copilot.config import Settings, get_settings
from copilot.errors import CopilotError
from copilot.runtime import Copilot


def create_app(settings: Settings | None = None, copilot: Copilot | None = None) -> FastAPI:
    """Build the app; pass a ready Copilot to share models (tests) or let the lifespan build one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.copilot = copilot or Copilot(settings or get_settings())
        app.state.copilot.warm_up(rooms=True)
        yield

    app = FastAPI(
        title="Live-commerce copilot",
        version="0.1.0",
        description="Grounded answers for live-stream shopping, with escalation to agents.",
        lifespan=lifespan,
    )

    @app.exception_handler(CopilotError)
    async def _copilot_error(_: Request, exc: CopilotError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.details}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body")
        message = f"{where}: {first['msg']}" if where else str(first["msg"])
        return JSONResponse({"error": message, "details": errors}, status_code=422)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(questions.router)
    app.include_router(audio.router)
    app.include_router(loading.router)
    app.include_router(tickets.router)
    app.include_router(replay.router)
    app.include_router(pages_router)
    return app
