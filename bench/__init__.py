"""Benchmarks: a dev-only Django app, installed only by `bench.settings` (docs/benchmarks.md)."""
