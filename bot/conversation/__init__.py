"""Messenger-neutral conversation types: what comes in, what goes out, who is who."""
