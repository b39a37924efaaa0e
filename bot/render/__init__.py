"""Texts and keyboards built from the school's data, shared by the handlers and the
scheduler's jobs: one renderer per feature, so neither side imports the other."""
