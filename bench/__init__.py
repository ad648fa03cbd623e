"""Speed and memory measurements: ``make bench`` (or ``python -m bench [NAME...]``) prints a table."""
