"""What waits for the admins (the digest) and how the school uses the platform (statistics)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.chats import CLASS_KINDS
from bot.domain.family import names_agree
from bot.domain.roles import Role
from bot.storage import Database
from bot.storage.chats import ChatRow
from bot.storage.requests import JoinRequestRow

OLDEST_SHOWN = 5


@dataclass(frozen=True)
class Digest:
    now: datetime
    pending_requests: int
    oldest_request_age: timedelta | None
    requests_by_class: list[tuple[str, int]]
    oldest_requests: list[JoinRequestRow]
    waiting_teachers: list[str]
    stale_invitations: int
    expired_since: int
    classes_without_teacher: list[str]
    classes_missing_chats: list[tuple[str, list[str]]]
    chats_without_admin: list[ChatRow]
    newcomers_since: int

    @property
    def empty(self) -> bool:
        return not (
            self.pending_requests
            or self.waiting_teachers
            or self.stale_invitations
            or self.expired_since
            or self.classes_without_teacher
            or self.classes_missing_chats
            or self.chats_without_admin
            or self.newcomers_since
        )


@dataclass(frozen=True)
class ClassFigures:
    """A class against its roster: students who joined, of those the imported roster lists
    (None: no roster imported for the class); families (students with at least one parent
    linked, a child linked by name only counting too); the class chats bound, of those every
    class must have."""

    name: str
    students: int
    roster: int | None
    families: int
    chats: int
    required_chats: int

    @property
    def joined(self) -> int:
        return self.students

    @property
    def expected(self) -> int:
        """Who is expected: the roster's students, or, with no roster, who is known."""
        return self.students if self.roster is None else self.roster


@dataclass(frozen=True)
class Stats:
    now: datetime
    people_by_role: dict[str, int]
    classes: list[ClassFigures]
    required_chats: int
    bound_chats: int
    decided_this_week: int
    median_decision: timedelta | None
    invitations_week: dict[str, int]
    invitations_total: dict[str, int]
    extra: dict[str, int] = field(default_factory=dict)


class ReportService:
    def __init__(self, db: Database, clock: Clock, stale_after: timedelta) -> None:
        self._db = db
        self._clock = clock
        self._stale_after = stale_after

    async def last_digest_at(self) -> datetime | None:
        return await self._db.reader.job_runs.last_run("digest")

    async def report_recipients(self) -> list[int]:
        """The director (and deputies) and the admins: who gets the weekly report."""
        repos = self._db.reader
        people = {row.person_id for row in await repos.roles.holders(Role.DIRECTOR.value)}
        people |= {row.person_id for row in await repos.roles.holders(Role.ADMIN.value)}
        return sorted(people)

    async def digest(self, since: datetime | None) -> Digest:
        repos = self._db.reader
        now = self._clock.now()
        since = since or now - timedelta(days=1)
        pending = await repos.requests.pending(None, OLDEST_SHOWN)
        total_pending = await repos.requests.count_pending(None)
        summaries = [row for row in await repos.classes.summaries() if not row.is_staff_room]
        bound = await repos.chats.bound()
        have = {(chat.class_id, chat.kind) for chat in bound}
        missing = [
            (row.name, [kind for kind in CLASS_KINDS if (row.id, kind) not in have])
            for row in summaries
        ]
        waiting = await repos.roles.unverified_teachers()
        names = await repos.people.names([row.person_id for row in waiting])
        return Digest(
            now=now,
            pending_requests=total_pending,
            oldest_request_age=now - pending[0].created_at if pending else None,
            requests_by_class=await repos.requests.pending_by_class(),
            oldest_requests=pending,
            waiting_teachers=[names.get(row.person_id, f"id{row.person_id}") for row in waiting],
            stale_invitations=await repos.invitations.count_stale(now, now - self._stale_after),
            expired_since=await repos.invitations.expired_between(since, now),
            classes_without_teacher=[r.name for r in summaries if r.class_teacher_id is None],
            classes_missing_chats=[(name, kinds) for name, kinds in missing if kinds],
            chats_without_admin=[chat for chat in bound if not chat.bot_admin],
            newcomers_since=await repos.people.consented_between(since, now),
        )

    async def stats(self) -> Stats:
        repos = self._db.reader
        now = self._clock.now()
        week_ago = now - timedelta(days=7)
        summaries = [row for row in await repos.classes.summaries() if not row.is_staff_room]
        roster = await repos.roster.expected_by_class()
        families = _families_by_class(await repos.roster.family_links_by_class())
        bound = await repos.chats.bound()
        class_chats = {(chat.class_id, chat.kind) for chat in bound if chat.kind in CLASS_KINDS}
        classes = [
            ClassFigures(
                name=row.name,
                students=row.students,
                roster=roster.get(row.id),
                families=families.get(row.id, 0),
                chats=sum((row.id, kind) in class_chats for kind in CLASS_KINDS),
                required_chats=len(CLASS_KINDS),
            )
            for row in summaries
        ]
        decided = await repos.requests.decided_between(week_ago, now)
        durations = [(done - made).total_seconds() for made, done in decided]
        median = timedelta(seconds=statistics.median(durations)) if durations else None
        far_past = datetime(2000, 1, 1, tzinfo=now.tzinfo)
        return Stats(
            now=now,
            people_by_role={
                role.value: await repos.roles.count_holders(role.value) for role in Role
            },
            classes=classes,
            required_chats=len(CLASS_KINDS) * len(summaries),
            bound_chats=len(class_chats),
            decided_this_week=len(decided),
            median_decision=median,
            invitations_week=await repos.invitations.activity_between(week_ago, now),
            invitations_total=await repos.invitations.activity_between(far_past, now),
        )


def _families_by_class(links: list[tuple[int, int | None, str | None]]) -> dict[int, int]:
    """Children with a parent linked, per class: a registered child once however many
    parents, a child known by name once however its parents typed it (the families' own
    comparison, `names_agree`: case, ё/е and a slip forgiven), as the class list shows it."""
    registered: dict[int, set[int]] = {}
    named: dict[int, list[str]] = {}
    for class_id, child_id, child_name in links:
        if child_id is not None:
            registered.setdefault(class_id, set()).add(child_id)
        elif child_name:
            names = named.setdefault(class_id, [])
            if not any(names_agree(child_name, known) for known in names):
                names.append(child_name)
    classes = registered.keys() | named.keys()
    return {c: len(registered.get(c, ())) + len(named.get(c, ())) for c in classes}
