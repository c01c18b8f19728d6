"""Links that replay the stream at a given second."""

from __future__ import annotations

from urllib.parse import quote


def replay_link(base_url: str, room_id: str, seconds: float) -> str:
    """`{base}/{room}?t={seconds}`, whole seconds, never negative."""
    return f"{base_url.rstrip('/')}/{quote(room_id, safe='')}?t={max(0, int(seconds))}"


def clock(seconds: float) -> str:
    """Stream time as H:MM:SS or M:SS."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
