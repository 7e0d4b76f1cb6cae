"""The report for City Hall: a printable summary of one consultation (contents.py reads, rendering.py draws)."""
