"""Icons, themes and desktop entries, read through importlib.resources so they survive freezing."""
