"""Reading what an htmx response asks the page to do."""

import json


def toast(response) -> dict:
    """The `toast` event a response triggers (HX-Trigger JSON): {"message", "kind", ...}; {} if none."""
    header = response.headers.get("HX-Trigger")
    return json.loads(header).get("toast", {}) if header else {}
