"""Email / re-notify tasks (live-delivery work)."""
