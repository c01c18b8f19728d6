"""Viewer questions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import CopilotDep
from copilot.pipeline import ask
from copilot.schemas import QuestionResult

router = APIRouter(prefix="/v1/rooms/{room}", tags=["questions"])


class QuestionIn(BaseModel):
    viewer_id: str = Field(min_length=1, max_length=64)
    # The 500-character rule is checked by the pipeline; this only refuses absurd bodies.
    text: str = Field(max_length=10_000)
    at: float | None = Field(default=None, description="Moment of the stream, in seconds.")


@router.post("/questions", response_model=QuestionResult, response_model_exclude_none=True)
async def post_question(room: str, question: QuestionIn, copilot: CopilotDep) -> QuestionResult:
    """Put one viewer question through the pipeline; returns DESIGN.md's result object."""
    return await run_in_threadpool(
        ask,
        copilot,
        room_id=room,
        viewer_id=question.viewer_id,
        text=question.text,
        at=question.at,
    )
