"""The HTML pages (viewer chat, agent console, host panel) and the CSS and JS they share."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)
PAGES = Path(__file__).parent
# The only files /static/{name} serves, with their media types; nothing else here is exposed.
STATIC_FILES = {
    "common.css": "text/css; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
}


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


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """The pages' shared stylesheet or script; any other name is a 404."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    # no-cache: the browser revalidates (ETag) so the pages never run against a stale copy.
    return FileResponse(PAGES / name, media_type=media_type, headers={"Cache-Control": "no-cache"})
