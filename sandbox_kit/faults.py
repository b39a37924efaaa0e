"""How a fault switch names the methods (or routes) it hits."""

from __future__ import annotations

from collections.abc import Iterable


def method_set(methods: Iterable[str] | str | None) -> frozenset[str] | None:
    """``None`` hits every method; one name or several narrow the fault to them."""
    if methods is None:
        return None
    if isinstance(methods, str):
        return frozenset({methods})
    return frozenset(methods)


__all__ = ["method_set"]
