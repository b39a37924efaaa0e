"""Who may use what: one rule for every command and button."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.roles import NEEDS_VERIFICATION, Actor, Role


class Refusal(StrEnum):
    NEEDS_CONSENT = "needs_consent"
    ROLE = "role"
    UNVERIFIED = "unverified"


def refusal_for(actor: Actor, roles: frozenset[Role] | None) -> Refusal | None:
    """None when allowed. `roles` None means anyone; an empty set, anyone who consented."""
    if roles is None:
        return None
    if not actor.has_consented:
        return Refusal.NEEDS_CONSENT
    if roles and not actor.has(*roles):
        # A teacher waiting for verification is told so for every teacher's command,
        # class teachers' included: they become one only once verified.
        waiting = any(not grant.active for grant in actor.grants)
        if waiting and roles & NEEDS_VERIFICATION:
            return Refusal.UNVERIFIED
        return Refusal.ROLE
    return None
