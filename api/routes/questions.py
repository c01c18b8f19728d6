"""Viewer questions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import CopilotDep
from api.security import Asker, viewer_for
from copilot.accounts.models import Role
from copilot.accounts.service import Principal
from copilot.pipeline import ask
from copilot.schemas import QuestionResult
from transcripts.records import MAX_STREAM_S

router = APIRouter(prefix="/v1/rooms/{room}", tags=["questions"])


class QuestionIn(BaseModel):
    viewer_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Admin tokens only (a shop relaying its chat); viewers are their token.",
    )
    # The 500-character rule is checked by the pipeline; this only refuses absurd bodies.
    text: str = Field(max_length=10_000)
    at: float | None = Field(
        default=None,
        ge=0,
        le=MAX_STREAM_S,
        allow_inf_nan=False,
        description="Moment of the stream (s).",
    )


def result_for(principal: Principal, result: QuestionResult) -> dict[str, Any]:
    """The result as this caller may see it: internal fields only for staff and integrations."""
    if principal.role == Role.viewer:
        return result.for_viewer()
    return result.model_dump(mode="json", exclude_none=True)


@router.post("/questions", response_model=None, responses={200: {"model": QuestionResult}})
async def post_question(
    room: str, question: QuestionIn, request: Request, copilot: CopilotDep, principal: Asker
) -> JSONResponse:
    """Put one viewer question through the pipeline; returns DESIGN.md's result object.

    A viewer token asks as its own viewer; an admin token names `viewer_id`. `intent` and
    `reason` are internal: viewers never receive them.
    """
    viewer_id = viewer_for(principal, question.viewer_id)
    copilot.check_question_rate(room, viewer_id)
    result = await run_in_threadpool(
        ask,
        copilot,
        room_id=room,
        viewer_id=viewer_id,
        text=question.text,
        at=question.at,
        base_url=str(request.base_url),
    )
    return JSONResponse(result_for(principal, result))
