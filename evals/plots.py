"""The report's figures as PNG bytes: confusion matrices and the latency histogram."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from copilot.charts import png as _png
from copilot.charts import style as _style

CELL_IN = 0.5  # inches per confusion-matrix cell: room for a three-digit count
LOG_SPREAD = 20  # latencies spanning more than this factor get a log axis
HIST_BINS = 30
ACTION_COLOURS = {"answer": "#2f7d4f", "escalate": "#c0552b", "ignore": "#8a8f98"}


def confusion_png(
    matrix: np.ndarray[Any, np.dtype[np.int64]], labels: Sequence[str], *, title: str
) -> bytes:
    """A confusion matrix (rows expected, columns got), coloured by row share, counts written."""
    n = len(labels)
    side = max(3.0, CELL_IN * n + 2.0)
    with _style():
        figure = Figure(figsize=(side + 1.2, side), layout="constrained")
        ax = figure.add_subplot()
        totals = matrix.sum(axis=1, keepdims=True)
        # Row shares, so a rare intent's misses show as plainly as a common one's.
        shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
        for i in range(n):
            for j in range(n):
                count = int(matrix[i, j])
                if not count:
                    continue
                colour = "white" if shares[i, j] > 0.55 else ("#111" if i == j else "#b00020")
                weight = "normal" if i == j else "bold"
                ax.text(j, i, str(count), ha="center", va="center", color=colour, weight=weight)
        ax.set_xticks(range(n), labels, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(n), labels)
        ax.set_xlabel("got")
        ax.set_ylabel("expected")
        ax.set_title(title)
        ax.set_xticks(np.arange(-0.5, n), minor=True)
        ax.set_yticks(np.arange(-0.5, n), minor=True)
        ax.grid(which="minor", color="#ddd", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
        figure.colorbar(image, ax=ax, shrink=0.7, label="share of the expected row")
        return _png(figure)


def latency_png(latencies: Mapping[str, Sequence[float]], *, p50: float, p95: float) -> bytes:
    """A histogram of latencies (ms), stacked by the action taken, with p50 and p95 marked."""
    every = [x for values in latencies.values() for x in values] or [0.0]
    low, high = max(min(every), 0.1), max(max(every), 1.0)
    logarithmic = high / low > LOG_SPREAD
    spaced = np.geomspace if logarithmic else np.linspace
    bins = [float(x) for x in spaced(low if logarithmic else 0.0, high, HIST_BINS + 1)]
    actions = [a for a in latencies if latencies[a]]
    with _style():
        figure = Figure(figsize=(8.0, 3.4), layout="constrained")
        ax = figure.add_subplot()
        if actions:
            ax.hist(
                [np.clip(latencies[a], low, high) for a in actions],
                bins=bins,
                stacked=True,
                label=actions,
                color=[ACTION_COLOURS.get(a, "#4c72b0") for a in actions],
            )
        for value, name, style, drop in ((p50, "p50", "--", 12), (p95, "p95", ":", 24)):
            ax.axvline(value, color="#222", linestyle=style, linewidth=1)
            ax.annotate(
                f"{name} {value:.0f} ms",
                (value, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -drop),  # staggered: p50 and p95 are often close
                textcoords="offset points",
            )
        if logarithmic:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 100, not 10²
        ax.set_xlabel("latency (ms" + (", log scale)" if logarithmic else ")"))
        ax.set_ylabel("questions")
        if actions:
            ax.legend(title="action", frameon=False)
        return _png(figure)
