"""Host prompts: what many viewers are asking, as a list, a live stream, and dismissal."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from api.deps import CopilotDep, SessionDep
from api.errors import error_responses
from api.security import requires
from api.streams import event_stream, resume_from
from copilot.accounts.policy import DISMISS_HOST_PROMPTS, HOST_PROMPTS, WATCH_HOST_PROMPTS
from copilot.errors import InvalidInput, NotFound
from copilot.hostprompts.repository import PromptRepository
from knowledge.repository import RoomRepository

router = APIRouter(prefix="/v1/rooms/{room}/host-prompts", tags=["host prompts"])
Status = Literal["open", "answered", "dismissed"]


def _known_room(session: Any, room: str) -> None:
    if RoomRepository(session).get(room) is None:
        raise NotFound(f"unknown room {room!r}")


@router.get("", dependencies=[requires(HOST_PROMPTS)])
def list_prompts(
    room: str, session: SessionDep, status: Annotated[Status | None, Query()] = None
) -> dict[str, Any]:
    """The room's prompts, most viewers first; `last_event_id` is where the stream goes on."""
    _known_room(session, room)
    prompts = PromptRepository(session, room)
    # The id first: a change committed between the two reads is then sent again, not lost.
    last = prompts.last_event_id()
    return {"prompts": prompts.views(status), "last_event_id": last}


@router.get(
    "/events", response_class=EventSourceResponse, dependencies=[requires(WATCH_HOST_PROMPTS)]
)
def follow_prompts(
    room: str,
    request: Request,
    copilot: CopilotDep,
    session: SessionDep,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> EventSourceResponse:
    """Server-Sent Events: each prompt's new state as it changes (opened, counted, answered).

    A new stream starts with the changes after the list's `last_event_id` (`?after=`), or
    with every change of the room when none is given; Last-Event-ID resumes a reconnect.
    """
    _known_room(session, room)

    def read_after(last: int) -> list[tuple[int, dict[str, Any]]]:
        with copilot.db.read_scope() as reading:
            return PromptRepository(reading, room).events_after(last)

    start = resume_from(request, after) or 0
    return event_stream(request, lambda: copilot.host_prompts.watch(room), read_after, start)


class PromptChange(BaseModel):
    status: Literal["dismissed"] | None = None
    acknowledged: Literal[True] | None = None


@router.patch(
    "/{prompt_id}",
    dependencies=[requires(DISMISS_HOST_PROMPTS)],
    responses=error_responses(404),
)
def change_prompt(
    room: str, prompt_id: str, change: PromptChange, copilot: CopilotDep
) -> dict[str, Any]:
    """`{"status": "dismissed"}`: the prompt leaves the panel and its topic is not pushed for
    the cool-down; `{"acknowledged": true}`: the host has seen it and will answer on air."""
    if change.status is None and change.acknowledged is None:
        raise InvalidInput("send status 'dismissed' or acknowledged true")
    service = copilot.host_prompts
    view = (
        service.dismiss(room, prompt_id)
        if change.status == "dismissed"
        else service.acknowledge(room, prompt_id)
    )
    if view is None:
        raise NotFound(f"no prompt {prompt_id!r} in room {room!r}")
    return view
