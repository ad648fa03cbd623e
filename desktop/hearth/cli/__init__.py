"""Command-line interface over hearth.core: how we script, test and benchmark without a screen."""
