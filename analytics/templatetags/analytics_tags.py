"""Display filters of the analytics pages (pure formatting: no queries)."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as a short human duration: "45 s", "3 min 05 s", "1 h 02 min"; an em dash for no data."""
    if seconds is None:
        return "—"
    total = round(float(seconds))
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total < 60:
        return f"{sign}{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{sign}{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes:02d} min"


@register.filter
def minutes(seconds) -> str:
    """Seconds as minutes with one decimal ("4.5"), an em dash for no data."""
    return "—" if seconds is None else f"{float(seconds) / 60:.1f}"


INPUT_LABELS = {
    "baseline_entries": "Stopwatch entries (your baseline)",
    "baseline_avg_s": "Manual baseline, average",
    "escalations_with_first_action": "Escalations claimed with a first action",
    "in_product_avg_s": "In-product time to first action, average",
    "manual_minutes_per_note": "Manual minutes per ticket note",
    "sessions_with_notes_exported": "Sessions whose generated notes were copied, downloaded or pushed",
    "reference_days": "Days of resolved sessions the medians use",
    "flow_sessions_resolved": "Flow-guided sessions resolved",
}


@register.filter
def input_rows(inputs: dict) -> list[tuple[str, str]]:
    """A source's inputs as (label, value) pairs for display; durations (keys ending in _s) read as durations."""
    rows = []
    for key, value in inputs.items():
        if key == "domains":
            continue
        shown = duration(value) if key.endswith("_s") else ("—" if value is None else f"{value:g}")
        rows.append((INPUT_LABELS.get(key, key.replace("_", " ")), shown))
    return rows


@register.filter
def hours(value) -> str:
    """Hours with two decimals, the same figure the API, CSV, email and command give; an em dash for none."""
    return "—" if value is None else f"{float(value):.2f}"
