"""Geometry for the server-rendered SVG charts (no JavaScript chart library).

The viewBox is narrow (480 units) and labels are 16 units with every other week labelled, so text stays
about 11 px or more when a 375 px phone scales the chart down, and never overlaps at full size."""

from datetime import date

from analytics.breakdowns import Week

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 40
LABEL_EVERY = 2
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Stacked time-saved sources, bottom first: >= 3:1 against the white card (non-text contrast).
SOURCE_COLOURS = {"escalation": "#1d4ed8", "ticket_notes": "#8a4b08", "flow": "#166534"}


def _nice_max(value: float) -> float:
    """An axis maximum of four round steps (30 s to 2 h each) at or above `value` seconds."""
    for step in (30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if value <= step * 4:
            return step * 4
    return value


def _nice_hours(value: float) -> float:
    """An axis maximum of four round steps of hours at or above `value`."""
    for step in (0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250):
        if value <= step * 4:
            return step * 4
    return value


def _frame(n: int, top: float, tick_text) -> dict:
    slot = PLOT_W / max(n, 1)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline_y": TOP + PLOT_H,
        "label_y": HEIGHT - 12,
        "slot": slot,
        "ticks": [{"y": _y(top * i / 4, top), "text": tick_text(top * i / 4)} for i in range(5)],
    }


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_H - value / top * PLOT_H, 1)


def _label(i: int, n: int, x: float, start) -> dict | None:
    # Label every other week, always including the latest one.
    if (n - 1 - i) % LABEL_EVERY:
        return None
    return {"x": round(x, 1), "text": f"{start:%b %d}".replace(" 0", " ")}


def trend_chart(weeks: list[Week]) -> dict:
    """Bars for weekly average TTFA, a polyline for the 4-week rolling average, axis ticks and labels."""
    values = [v for w in weeks for v in (w.avg_s, w.rolling_avg_s) if v is not None]
    top = _nice_max(max(values)) if values else 120
    frame = _frame(len(weeks), top, lambda v: f"{v / 60:g} min")
    slot = frame["slot"]
    bars, points, labels = [], [], []
    for i, week in enumerate(weeks):
        centre = LEFT + slot * i + slot / 2
        if week.avg_s is not None:
            bar_y = _y(week.avg_s, top)
            bars.append(
                {
                    "x": round(centre - slot * 0.3, 1),
                    "y": bar_y,
                    "w": round(slot * 0.6, 1),
                    "h": round(TOP + PLOT_H - bar_y, 1),
                }
            )
        if week.rolling_avg_s is not None:
            points.append(f"{round(centre, 1)},{_y(week.rolling_avg_s, top)}")
        if label := _label(i, len(weeks), centre, week.start):
            labels.append(label)
    return {**frame, "bars": bars, "rolling_points": " ".join(points), "labels": labels, "has_data": bool(values)}


def time_saved_chart(trend: list[dict]) -> dict:
    """Stacked bars of hours saved per week by source (sources without a number are left out)."""
    totals = [week["total"] for week in trend]
    top = _nice_hours(max(totals)) if any(totals) else 1
    frame = _frame(len(trend), top, lambda v: f"{v:g} h")
    slot = frame["slot"]
    bars, labels = [], []
    for i, week in enumerate(trend):
        centre = LEFT + slot * i + slot / 2
        base = 0.0
        for key, colour in SOURCE_COLOURS.items():
            hours = week.get(key) or 0.0
            if hours > 0:
                y_top, y_base = _y(base + hours, top), _y(base, top)
                bars.append(
                    {
                        "x": round(centre - slot * 0.3, 1),
                        "y": y_top,
                        "w": round(slot * 0.6, 1),
                        "h": round(y_base - y_top, 1),
                        "colour": colour,
                        "source": key,
                    }
                )
                base += hours
        if label := _label(i, len(trend), centre, date.fromisoformat(week["week_start"])):
            labels.append(label)
    return {**frame, "bars": bars, "labels": labels, "has_data": any(totals), "colours": SOURCE_COLOURS}
