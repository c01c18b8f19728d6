"""A viewer's personal data: erasure on request (PIPL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool

from api.deps import CopilotDep
from api.security import requires
from copilot.accounts.policy import ERASE_VIEWERS
from copilot.privacy import ErasureReport, erase_viewer
from copilot.runtime import Copilot

router = APIRouter(prefix="/v1/viewers", tags=["privacy"])


def _erase(copilot: Copilot, viewer_id: str) -> ErasureReport:
    with copilot.db.session_scope() as session:
        return erase_viewer(session, viewer_id=viewer_id)


@router.delete("/{viewer_id}", dependencies=[requires(ERASE_VIEWERS)])
async def erase(
    viewer_id: Annotated[str, Path(min_length=1, max_length=64)], copilot: CopilotDep
) -> ErasureReport:
    """Erase the viewer's conversations, messages and tickets in every room (orders stay)."""
    return await run_in_threadpool(_erase, copilot, viewer_id)
