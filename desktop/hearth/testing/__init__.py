"""Test benches shared by Hearth's tests and benchmarks (pure Python, no Qt)."""
