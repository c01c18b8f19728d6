"""The HTML pages (viewer chat, agent console, host panel, replay) and the CSS and JS they share."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from api.security import PublicRoute

router = APIRouter(include_in_schema=False, dependencies=[PublicRoute])
PAGES = Path(__file__).parent
# The only files /static/{name} serves, with their media types; nothing else here is exposed.
STATIC_FILES = {
    "common.css": "text/css; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
}


def page(name: str) -> HTMLResponse:
    """A page of this folder."""
    return HTMLResponse((PAGES / name).read_text("utf-8"))


def error_page(status_code: int, message: str) -> HTMLResponse:
    """A page that only says what is wrong with the link that led to it."""
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status_code}</title>"
        '<link rel="stylesheet" href="/static/common.css"></head><body>'
        '<p class="error" role="alert" style="margin: 16px; padding: 16px; border-radius: 12px">'
        f"{escape(message)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status_code)


@router.get("/rooms/{room}/chat")
def chat(room: str) -> HTMLResponse:
    """The viewer chat of a room."""
    return page("chat.html")


@router.get("/console")
def console() -> HTMLResponse:
    """The agent console."""
    return page("console.html")


@router.get("/rooms/{room}/host")
def host(room: str) -> HTMLResponse:
    """The host panel of a room."""
    return page("host.html")


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """The pages' shared stylesheet or script; any other name is a 404."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    # no-cache: the browser revalidates (ETag) so the pages never run against a stale copy.
    return FileResponse(PAGES / name, media_type=media_type, headers={"Cache-Control": "no-cache"})
