"""Plots write Chinese labels with a CJK font when one is installed (make test installs one)."""

from __future__ import annotations

import warnings

from matplotlib.figure import Figure

from copilot.charts import cjk_font, png, style


def test_chinese_labels_are_drawn_with_a_cjk_font() -> None:
    assert cjk_font() is not None, "scripts/services.sh installs fonts-wqy-microhei"
    with warnings.catch_warnings(record=True) as caught, style():
        warnings.simplefilter("always")
        figure = Figure(figsize=(3, 2))
        axes = figure.subplots()
        axes.set_title("赠品怎么领 gift")
        axes.bar(["退货", "发货"], [1, 2])
        image = png(figure)
    assert image.startswith(b"\x89PNG")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
