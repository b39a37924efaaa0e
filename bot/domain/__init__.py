"""The rules of the regulation: who may do what, and how things change. No VK, no SQL."""
