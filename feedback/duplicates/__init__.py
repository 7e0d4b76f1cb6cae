"""Near-duplicate concerns: the same text pasted again, or with small edits (see sketch.py for the method)."""
