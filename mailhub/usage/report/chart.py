"""The month-by-month trend as a real chart (matplotlib, no display): PNG for DOCX and PDF, SVG for HTML."""

from __future__ import annotations

import io
from dataclasses import dataclass

from mailhub.usage.report.figures import MonthShare


@dataclass(frozen=True)
class Chart:
    png: bytes
    svg: str
    caption: str


def trend_chart(trend: tuple[MonthShare, ...], targets: tuple[int, ...]) -> Chart:
    import matplotlib

    matplotlib.use("Agg")  # no display; imported here so that commands without a report never pay for it
    from matplotlib import pyplot

    labels = [f"{m.month.month:02d}/{m.month.year}" for m in trend]
    figure, axes = pyplot.subplots(figsize=(6.4, 3.0), dpi=150)
    try:
        bars = axes.bar(labels, [m.share for m in trend], color="#1f5fa8", width=0.6, label="Tỷ lệ sử dụng thư")
        axes.bar_label(bars, labels=[f"{m.share:.1f}%".replace(".", ",") for m in trend], fontsize=7, padding=2)
        for target, style in zip(targets, ("--", ":"), strict=False):
            axes.axhline(target, color="#b22222", linestyle=style, linewidth=1, label=f"Mục tiêu {target}%")
        axes.set_ylim(0, 115)
        axes.set_ylabel("% cán bộ, công chức", fontsize=8)
        axes.set_title("Tỷ lệ cán bộ, công chức sử dụng thư điện tử theo tháng", fontsize=9)
        axes.tick_params(labelsize=7)
        axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=3, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        png, svg = io.BytesIO(), io.StringIO()
        figure.savefig(png, format="png")
        figure.savefig(svg, format="svg")
    finally:
        pyplot.close(figure)
    return Chart(png.getvalue(), svg.getvalue(), "Biểu đồ: tỷ lệ sử dụng thư điện tử công vụ theo tháng")
