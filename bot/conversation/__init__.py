"""The conversation core's own types: what arrives, what goes out, who speaks, where.

Nothing here knows a messenger's API; each messenger's adapter translates to and from them."""
