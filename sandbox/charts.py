"""Inline SVG charts drawn on the server: loss curves (several runs overlaid) and decision boundaries."""

import math
from html import escape

PALETTE = ["#2456d6", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5f3dc4", "#e67700"]
CLASS_FILL = ["#a5c8ff", "#ffc9a8", "#b2f2bb", "#e5c8f5", "#ffc0d6", "#99e9f2", "#d0bfff", "#ffe08a"]
CLASS_DOT = ["#1c4fbf", "#c2410c", "#237032", "#7a2b8f", "#a61e4d", "#0a6470", "#4c32a8", "#b35900"]


def _finite(values):
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]


def _ticks(low, high, count=5):
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def _label(value):
    return f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.1e}"


def loss_chart(runs, *, width=640, height=300, title="Loss per epoch"):
    """Return an SVG of loss curves. ``runs``: [{"label", "history": {"epoch", "train_loss", "val_loss"}}];
    the first run is drawn on top, solid for training and dashed for validation."""
    left, right, top, bottom = 56, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    epochs = [e for run in runs for e in _finite(run["history"].get("epoch", []))]
    losses = [v for run in runs for key in ("train_loss", "val_loss") for v in _finite(run["history"].get(key, []))]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d9dee7"/>']
    if not epochs or not losses:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#5b6577">Waiting for the first epoch…</text></svg>')
        return "".join(parts)
    x_max = max(max(epochs), 1)
    y_max = max(losses) * 1.05 or 1.0
    y_min = 0.0

    def sx(epoch):
        return left + plot_w * (epoch - 1) / max(x_max - 1, 1)

    def sy(value):
        return top + plot_h * (1 - (value - y_min) / (y_max - y_min))

    for tick in _ticks(y_min, y_max):
        y = sy(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eef0f4"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6577">{_label(tick)}</text>')
    for tick in _ticks(1, x_max):
        if tick < 1:
            continue
        x = sx(tick)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" fill="#5b6577">{int(tick)}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle" font-size="12" fill="#1c2330">epoch</text>')
    for index, run in reversed(list(enumerate(runs))):
        colour = PALETTE[index % len(PALETTE)]
        opacity = 1.0 if index == 0 else 0.45
        history = run["history"]
        for key, dash in (("train_loss", ""), ("val_loss", ' stroke-dasharray="5 4"')):
            points = [(e, v) for e, v in zip(history.get("epoch", []), history.get(key, []))
                      if _finite([e]) and _finite([v])]
            if points:
                path = " ".join(f"{sx(e):.1f},{sy(v):.1f}" for e, v in points)
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{2 if index == 0 else 1.5}" '
                             f'opacity="{opacity}"{dash} points="{path}"><title>{escape(run["label"])} {key.replace("_", " ")}</title></polyline>')
    legend_x = left + 8
    for index, run in enumerate(runs[:6]):
        colour = PALETTE[index % len(PALETTE)]
        y = top + 14 + index * 14
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="2"/>'
                     f'<text x="{legend_x + 24}" y="{y}" font-size="11" fill="#1c2330">{escape(run["label"])}</text>')
    parts.append(f'<text x="{left + plot_w - 4}" y="{top + 14}" text-anchor="end" font-size="11" fill="#5b6577">'
                 'solid: training · dashed: validation</text></svg>')
    return "".join(parts)


def decision_boundary(grid, points=None, *, size=360):
    """Return an SVG of a 2-D model's predicted class over a grid, with data points on top.

    ``grid``: {"x": [...], "y": [...], "classes": [[...]]} (rows follow y); ``points``: [(x, y, label)].
    Runs of one class along a row are merged into one rectangle, so the picture stays small.
    """
    xs, ys, classes = grid.get("x") or [], grid.get("y") or [], grid.get("classes")
    if not xs or not ys or not classes:
        return ""
    x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
    nx, ny = len(xs), len(ys)
    cell_w, cell_h = size / nx, size / ny
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart boundary" viewBox="0 0 {size} {size}" role="img" '
             'aria-label="Decision boundary"><title>Decision boundary: the class the network predicts everywhere</title>']
    for row, labels in enumerate(classes):
        y = size - (row + 1) * cell_h
        start = 0
        for col in range(1, nx + 1):
            if col == nx or labels[col] != labels[start]:
                fill = CLASS_FILL[int(labels[start]) % len(CLASS_FILL)]
                parts.append(f'<rect x="{start * cell_w:.2f}" y="{y:.2f}" width="{(col - start) * cell_w + 0.3:.2f}" '
                             f'height="{cell_h + 0.3:.2f}" fill="{fill}"/>')
                start = col
    for px, py, label in points or []:
        cx = (px - x0) / (x1 - x0 or 1) * size
        cy = size - (py - y0) / (y1 - y0 or 1) * size
        colour = CLASS_DOT[int(label) % len(CLASS_DOT)]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.4" fill="{colour}" stroke="#fff" stroke-width="0.6"/>')
    parts.append("</svg>")
    return "".join(parts)
