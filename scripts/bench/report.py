"""The harness's output: rows judged against issue 10's targets, a table (text and markdown), a plot."""
import statistics
from pathlib import Path

CHANGES = ("push of 1", "fetch of 1", "status with 1 change", "app put")
KB, MB = 1024, 1024 * 1024


def targets(row: dict, own_at_1000: float | None) -> tuple[str, bool | None]:
    """(target, met) of a row: issue 10's target for its operation and size; met is None where none applies."""
    operation, size, ratio = row["operation"], row["size"], row.get("ratio")
    if operation == "clone (no checkout)" and size >= 10_000:
        return "≤1.1x git", ratio <= 1.1
    if operation in CHANGES:
        if own_at_1000 is None or size <= 1000:
            return "≤1.5x git", ratio <= 1.5
        scale = row["ours"] / own_at_1000
        return f"≤1.5x git, ≤1.3x own at 1 000 ({scale:.1f}x)", ratio <= 1.5 and scale <= 1.3
    if operation == "initial push" and size == 10_000:
        return "≤10x git", ratio <= 10
    if operation == "store growth per commit" and size == 100_000:
        return "≤16 KB", row["ours"] <= 16 * KB
    if operation == "helper peak memory, clone" and size == 100_000:
        return "<150 MB", row["ours"] < 150 * MB
    if operation == "helper peak memory, initial push" and size == 100_000:
        return "<300 MB", row["ours"] < 300 * MB
    return "", None


def spread(row: dict) -> tuple[float, float] | None:
    """The middle half of the ratios of a timed row's pairs (their 25th and 75th percentiles),
    or None with fewer than 4 pairs. Each pair ran back to back, so its ratio is free of the
    machine's slower and faster minutes; the spread shows how far one run's ratio may move."""
    samples = row.get("samples")
    if not samples or len(samples["ours"]) < 4:
        return None
    quartiles = statistics.quantiles([o / g for o, g in zip(samples["ours"], samples["git"])], n=4)
    return quartiles[0], quartiles[2]


def judge(rows: list) -> list:
    """rows with ratio, spread, target and met filled in (met judges the ratio of the medians)."""
    at_1000 = {row["operation"]: row["ours"] for row in rows if row["size"] == 1000}
    for row in rows:
        if row.get("git"):
            row["ratio"] = row["ours"] / row["git"]
        if (middle := spread(row)) is not None:
            row["spread"] = middle
        row["target"], row["met"] = targets(row, at_1000.get(row["operation"]))
    return rows


def show(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        return f"{value / MB:.1f} MB" if value >= MB else f"{value / KB:.1f} KB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def cells(row: dict) -> list:
    met = {True: "yes", False: "NO", None: ""}[row["met"]]
    ratio = f"{row['ratio']:.2f}x" if "ratio" in row else "—"
    if "spread" in row:
        ratio += f" ({row['spread'][0]:.2f}–{row['spread'][1]:.2f})"
    return [row["operation"], f"{row['size']:,}".replace(",", " "), show(row["ours"], row["unit"]),
            show(row.get("git"), row["unit"]), ratio, row["target"], met]


HEADER = ["operation", "size", "ours", "plain git", "ratio", "target", "met"]


LEGEND = ("ratio: ours over plain git, of the medians; in brackets the middle half of the ratios "
          "of the pairs (each pair ran back to back)")


def text_table(rows: list) -> str:
    table = [HEADER] + [cells(row) for row in rows]
    widths = [max(len(line[column]) for line in table) for column in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
                     for line in table)


def markdown_table(rows: list) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(cells(row)) + " |" for row in rows])


def callgrind_text(profiles: dict) -> str:
    """Per profiled command: total instructions and the top functions by inclusive and by self cost."""
    lines = []
    for name, profile in profiles.items():
        total = profile["instructions"]
        lines.append(f"{name}: {total:,} instructions (Ir)")
        for kind in ("inclusive", "self"):
            lines.append(f"  top by {kind} cost:")
            lines += [f"    {entry['instructions'] / total:6.1%}  {entry['function'][:150]}"
                      for entry in profile[kind]]
    return "\n".join(lines)


def plot(rows: list, path: Path) -> bool:
    """Time against workspace size per timed operation, ours and plain git, log axes. False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    timed = [row for row in rows if row["unit"] == "seconds"]
    operations = list(dict.fromkeys(row["operation"] for row in timed))
    columns = 4
    figure, axes = plt.subplots((len(operations) + columns - 1) // columns, columns,
                                figsize=(12, 5.5), squeeze=False)
    for axis, operation in zip(axes.flat, operations):
        points = [row for row in timed if row["operation"] == operation]
        sizes = [row["size"] for row in points]
        axis.plot(sizes, [row["ours"] for row in points], "o-", label="git-remote-workspace")
        axis.plot(sizes, [row["git"] for row in points], "s--", label="plain git")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(operation, fontsize=10)
        axis.tick_params(labelsize=8)
        axis.set_xlabel("workflows", fontsize=8)
        axis.set_ylabel("seconds", fontsize=8)
    for axis in list(axes.flat)[len(operations):]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=72)
    plt.close(figure)
    return True
