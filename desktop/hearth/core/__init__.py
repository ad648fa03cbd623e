"""Hearth's engine room: pure Python, never imports Qt (a test enforces it)."""
