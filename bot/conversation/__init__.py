"""The messenger-neutral core's own types: who writes (identity), what comes in, what goes out."""
