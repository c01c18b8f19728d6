"""Figures as PNG bytes with matplotlib's Agg canvas: no display, no global pyplot state."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 110
# Tried in order: labels may be Chinese (a dataset's title, a product's name).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)


@cache
def cjk_font() -> str | None:
    """The first installed font of CJK_FONTS, if any."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@contextmanager
def style() -> Iterator[None]:
    """Fonts that write both the Latin labels and any Chinese text."""
    # The CJK font first: with DejaVu first, matplotlib drew Chinese as boxes (its glyph
    # fallback did not reach the .ttc); the CJK fonts carry Latin glyphs too.
    fonts = [f for f in (cjk_font(), "DejaVu Sans") if f]
    with rc_context({"font.family": "sans-serif", "font.sans-serif": fonts, "font.size": 9}):
        yield


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    # Agg directly, not pyplot: no global figure state, no display needed.
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
