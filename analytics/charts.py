"""Geometry for the server-rendered SVG trend chart (no JavaScript chart library)."""

from analytics.breakdowns import Week

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


def _nice_max(value: float) -> float:
    """An axis maximum of four round steps (30 s to 2 h each) at or above `value` seconds."""
    for step in (30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if value <= step * 4:
            return step * 4
    return value


def trend_chart(weeks: list[Week]) -> dict:
    """Bars for weekly average TTFA, a polyline for the 4-week rolling average, axis ticks and labels."""
    values = [v for w in weeks for v in (w.avg_s, w.rolling_avg_s) if v is not None]
    top = _nice_max(max(values)) if values else 120
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)

    def y(value: float) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    bars, points, labels = [], [], []
    for i, week in enumerate(weeks):
        centre = LEFT + slot * i + slot / 2
        if week.avg_s is not None:
            bar_y = y(week.avg_s)
            bars.append(
                {
                    "x": round(centre - slot * 0.3, 1),
                    "y": bar_y,
                    "w": round(slot * 0.6, 1),
                    "h": round(TOP + plot_h - bar_y, 1),
                }
            )
        if week.rolling_avg_s is not None:
            points.append(f"{round(centre, 1)},{y(week.rolling_avg_s)}")
        labels.append({"x": round(centre, 1), "text": f"{week.start:%b %d}".replace(" 0", " ")})
    ticks = [{"y": y(top * i / 4), "text": f"{top * i / 4 / 60:g} min"} for i in range(5)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline_y": TOP + plot_h,
        "label_y": HEIGHT - 12,
        "bars": bars,
        "rolling_points": " ".join(points),
        "ticks": ticks,
        "labels": labels,
        "has_data": bool(values),
    }
