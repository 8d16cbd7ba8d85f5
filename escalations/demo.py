"""Demo data for `seed_demo` (this app's part). Idempotent."""


def seed(demo: dict) -> None:
    """`demo` maps "northwind"/"contoso" to (account, users-by-key) from accounts.demo."""
