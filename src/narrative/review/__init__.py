"""Review: suggestions become confirmed codes in the store."""
