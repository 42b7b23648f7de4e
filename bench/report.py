"""docs/performance.md and its chart, from one run's results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.0f} {unit}"


def _verdict(met) -> str:
    return {True: "met", False: "**missed**", None: "see note"}[met]


def table(figures: list[dict]) -> str:
    lines = [
        "| workload | size | ours | reference | ratio | goal | verdict | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f['workload']} | {f['size']} | {_fmt(f['ours'], f['unit'])} | {_fmt(f['reference'], f['unit'])} "
            f"| {f['ratio']:.3f} | {f['goal']} | {_verdict(f['met'])} | {f['note']} |"
        )
    return "\n".join(lines)


def chart(figures: list[dict], path: Path) -> None:
    """Cost against size: each timed workload and its reference at the sizes measured."""
    series = defaultdict(list)
    for f in figures:
        if f["unit"] == "s" and "dispositions" in f["size"]:
            size = _count(f["size"])
            series[f["workload"]].append((size, f["ours"], f["reference"]))
    figure, axes = plt.subplots(figsize=(9, 5), dpi=110)
    for index, (workload, points) in enumerate(sorted(series.items())):
        points.sort()
        xs = [p[0] for p in points]
        color = f"C{index}"
        axes.plot(xs, [p[1] for p in points], marker="o", color=color, label=f"{workload}")
        if "snapshot refresh" not in workload:
            axes.plot(xs, [p[2] for p in points], marker="x", linestyle="--", color=color, alpha=0.6)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("dispositions in the table")
    axes.set_ylabel("seconds (solid: AssetLife; dashed: reference)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _count(size: str) -> int:
    number = size.split()[0]
    scale = {"k": 1_000, "M": 1_000_000}.get(number[-1], 1)
    return int(float(number.rstrip("kM")) * scale)


def write_docs(results: dict, docs: Path) -> None:
    facts, figures = results["facts"], results["figures"]
    machine = facts["machine"]
    chart(figures, docs / "performance.png")
    head = [
        "# Performance",
        "",
        f"Measured on {dt.date.today():%Y-%m-%d} by `make bench SIZE={results['size']}` "
        f"(`python -m bench --size {results['size']} --docs`), one run, every reference measured in the "
        "same run on the same database. Timings are medians of paired, alternating runs after a warm-up.",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; {machine['os']}",
        f"- PostgreSQL {machine['postgresql']}, Python {machine['python']}, Django {machine['django']}",
        f"- Fleet: {facts['assets']:,} assets ({results['plan']['servers']:,} servers with 19 parts each); "
        f"dispositions measured at {', '.join(f'{n:,}' for n in results['plan']['dispositions'])}",
        f"- Whole run: {facts['wall_seconds'] / 60:.1f} minutes",
        "",
        "The ratio is ours ÷ reference: lower is better for times and memory (`s`, `MB`), higher for "
        "throughput (`events/s`, `req/s`). For the snapshot refresh it is the full recompute ÷ the "
        "one-month refresh (higher is better).",
        "",
        table(figures),
        "",
        "![Cost against size](performance.png)",
        "",
    ]
    existing = docs / "performance.md"
    tail = ""
    if existing.exists():
        text = existing.read_text()
        marker = "<!-- analysis -->"
        if marker in text:
            tail = text[text.index(marker) :]
    existing.write_text("\n".join(head) + ("\n" + tail if tail else ""))
