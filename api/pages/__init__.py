"""The HTML pages: viewer chat, agent console, host panel."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
PAGES = Path(__file__).parent


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((PAGES / name).read_text("utf-8"))


@router.get("/rooms/{room}/chat")
def chat(room: str) -> HTMLResponse:
    """The viewer chat of a room."""
    return _page("chat.html")


@router.get("/console")
def console() -> HTMLResponse:
    """The agent console."""
    return _page("console.html")


@router.get("/rooms/{room}/host")
def host(room: str) -> HTMLResponse:
    """The host panel of a room."""
    return _page("host.html")
