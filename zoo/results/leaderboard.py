"""The leaderboard: one table per protocol, ranked within it, as Markdown, HTML or JSON.

Each model (a training run, a Hub repo or an untrained architecture) appears once per table,
at its latest benchmarked step. Where a model was benchmarked at several steps under the
same protocol, the HTML page plots the metric against the steps (matplotlib).
"""

from __future__ import annotations

import base64
import html
import io
import json
from typing import Any

from zoo.results.store import Result

#: Columns in display order: (metric, label, lower is better).
COLUMNS = [
    ("fid", "FID", True),
    ("kid", "KID", True),
    ("isc", "IS", False),
    ("precision", "precision", False),
    ("recall", "recall", False),
    ("class_accuracy", "class acc.", False),
    ("attribute_accuracy", "attribute acc.", False),
]
RANK_ORDER = ["fid", "kid", "isc", "class_accuracy", "attribute_accuracy"]


def tables(results: list[Result]) -> list[dict[str, Any]]:
    """Group results by protocol hash; one ranked row per model (its latest step)."""
    by_protocol: dict[str, list[Result]] = {}
    for r in results:
        by_protocol.setdefault(r.protocol_hash, []).append(r)
    out = []
    for digest, rows in by_protocol.items():
        runs: dict[str, dict[str, Any]] = {}  # run_id -> one benchmark run
        for r in rows:
            run = runs.setdefault(
                r.run_id,
                {
                    "model": r.model,
                    "architecture": r.architecture,
                    "series": r.series,
                    "step": r.step,
                    "created": r.created,
                    "grid": r.grid,
                    "scores": {},
                    "provenance": r.provenance,
                },
            )
            run["scores"][r.metric] = r.value
        series: dict[str, list[dict[str, Any]]] = {}
        for run in runs.values():
            series.setdefault(run["series"], []).append(run)
        entries = []
        for history in series.values():
            history.sort(key=lambda run: (run["step"] or 0, run["created"]))
            latest = dict(history[-1])
            latest["history"] = [{"step": run["step"], "scores": run["scores"]} for run in history]
            entries.append(latest)
        key = next((m for m in RANK_ORDER if all(m in e["scores"] for e in entries)), None)
        if key is not None:
            lower = dict((m, low) for m, _, low in COLUMNS)[key]
            entries.sort(key=lambda e: e["scores"][key] if lower else -e["scores"][key])
        for rank, entry in enumerate(entries, 1):
            entry["rank"] = rank
        present = {m for e in entries for m in e["scores"]}
        out.append(
            {
                "protocol_hash": digest,
                "protocol": rows[0].protocol,
                "ranked_by": key,
                "columns": [m for m, _, _ in COLUMNS if m in present],
                "rows": entries,
            }
        )
    out.sort(
        key=lambda t: (t["protocol"]["extractor"], t["protocol"]["dataset"], t["protocol_hash"])
    )
    return out


def _title(table: dict[str, Any]) -> str:
    p = table["protocol"]
    return (
        f"{p['dataset']} · {p['extractor']} · {p['generated_samples']} samples · "
        f"{p['resolution']}px"
    )


def _protocol_line(table: dict[str, Any]) -> str:
    p = table["protocol"]
    return (
        f"protocol `{table['protocol_hash'][:12]}`: extractor {p['extractor']} (sha256 "
        f"{p['extractor_sha256'][:12]}), reference {p['dataset']} ({p['split']}), "
        f"{p['generated_samples']} generated / {p['reference_samples']} reference, conditions: "
        f"{p['conditions']}, seed {p['seed']}, torch-fidelity {p['torch_fidelity']}, "
        f"torch {p['torch']}"
    )


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "kid":
        return f"{value:.4f}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"


def _label(metric: str) -> str:
    return next(label for m, label, _ in COLUMNS if m == metric)


def to_markdown(results: list[Result], title: str = "Leaderboard") -> str:
    lines = [f"# {title}", ""]
    all_tables = tables(results)
    if not all_tables:
        return "\n".join([*lines, "No results yet: run `zoo bench`.", ""])
    lines += [
        "One table per evaluation protocol; scores from different protocols (feature "
        "extractor, data, sample counts, ...) are never ranked together.",
        "",
    ]
    for t in all_tables:
        lines += [f"## {_title(t)}", "", _protocol_line(t), ""]
        cols = t["columns"]
        lines.append("| rank | model | step | " + " | ".join(_label(c) for c in cols) + " |")
        lines.append("|---|---|---|" + "---|" * len(cols))
        for e in t["rows"]:
            vals = " | ".join(_fmt(c, e["scores"].get(c)) for c in cols)
            step = e["step"] if e["step"] is not None else "-"
            lines.append(f"| {e['rank']} | {e['model']} | {step} | {vals} |")
        lines.append("")
    return "\n".join(lines)


def to_json(results: list[Result]) -> str:
    return json.dumps(tables(results), indent=2, sort_keys=True, default=str)


def _png_data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _plot(entry: dict[str, Any], columns: list[str]) -> bytes | None:
    history = [h for h in entry["history"] if h["step"] is not None]
    if len(history) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # the ranking metric and the condition metric first: two small plots fit beside a grid
    order = ["fid", "class_accuracy", "attribute_accuracy", "kid", "isc", "precision", "recall"]
    logged = [c for c in columns if sum(c in h["scores"] for h in history) >= 2]
    shown = sorted(logged, key=lambda c: order.index(c) if c in order else len(order))[:2]
    if not shown:
        return None
    fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 2.4), dpi=100)
    axes = [axes] if len(shown) == 1 else list(axes)
    for ax, metric in zip(axes, shown, strict=True):
        pts = [(h["step"], h["scores"][metric]) for h in history if metric in h["scores"]]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o")
        ax.set_xlabel("step")
        ax.set_title(_label(metric), fontsize=10)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 1rem 0 2.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 10px; text-align: right; }
th { background: #f4f4f6; } td.model { text-align: left; font-weight: 600; white-space: nowrap; }
img.grid { width: 160px; image-rendering: pixelated; }
img.plot { height: 140px; max-width: 480px; object-fit: contain; }
.protocol { color: #555; font-size: 0.85rem; }
"""


def to_html(results: list[Result], title: str = "zoo leaderboard") -> str:
    from pathlib import Path

    parts = [
        "<!DOCTYPE html>",
        f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>One table per evaluation protocol; scores from different protocols are never "
        "ranked together.</p>",
    ]
    all_tables = tables(results)
    if not all_tables:
        parts.append("<p>No results yet: run <code>zoo bench</code>.</p>")
    for t in all_tables:
        cols = t["columns"]
        parts.append(f"<h2>{html.escape(_title(t))}</h2>")
        parts.append(f"<p class='protocol'>{html.escape(_protocol_line(t))}</p>")
        head = "".join(f"<th>{html.escape(_label(c))}</th>" for c in cols)
        parts.append(
            f"<table data-protocol='{t['protocol_hash']}'><thead><tr><th>rank</th><th>model</th>"
            f"<th>step</th>{head}<th>samples</th><th>over steps</th></tr></thead><tbody>"
        )
        for e in t["rows"]:
            cells = "".join(f"<td>{_fmt(c, e['scores'].get(c))}</td>" for c in cols)
            grid = "-"
            if e["grid"] and Path(e["grid"]).is_file():
                uri = _png_data_uri(Path(e["grid"]).read_bytes())
                grid = f"<img class='grid' alt='samples of {html.escape(e['model'])}' src='{uri}'>"
            plot = _plot(e, cols)
            curve = (
                f"<img class='plot' alt='metrics over steps' src='{_png_data_uri(plot)}'>"
                if plot
                else "-"
            )
            step = e["step"] if e["step"] is not None else "-"
            parts.append(
                f"<tr><td>{e['rank']}</td><td class='model'>{html.escape(e['model'])}</td>"
                f"<td>{step}</td>{cells}<td>{grid}</td><td>{curve}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render(results: list[Result], fmt: str) -> str:
    if fmt == "md":
        return to_markdown(results)
    if fmt == "json":
        return to_json(results)
    if fmt == "html":
        return to_html(results)
    raise ValueError(f"unknown format {fmt!r}: md, html or json")
