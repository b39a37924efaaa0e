"""Questions to the class teacher: a parent or a student writes to their class's teacher
through the bot, the two write back and forth in the question's thread until one side
closes it; unanswered questions come up in the teacher's morning and, later, the admins'.

Rules that must stay true: only the asker and the teacher the question went to may write
into it or close it; a closed question takes nothing more; a question is asked only of the
class teacher of a class the asker is a parent or a student of."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.roles import Actor, Role
from bot.russian import Who
from bot.storage import Database
from bot.storage.questions import QuestionRow, StoredRef

# A file as a question keeps it: (name, type, size, the messenger's ref, its messenger).
FileEntry = StoredRef

# What one message of a question may carry, and the size of each file fetched for it.
MAX_FILES = 10
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT = 3500


@dataclass(frozen=True)
class Target:
    """A class the person may ask the class teacher of, as a parent or a student."""

    class_id: int
    class_name: str
    role: Role
    teacher_id: int | None
    # A parent's children in that class (family links), as they are named there.
    children: tuple[Who, ...] = ()


@dataclass(frozen=True)
class Asker:
    """Who asked, as the teacher sees them: name, class and how they belong to it."""

    who: Who
    class_name: str
    role: Role | None
    children: tuple[Who, ...] = ()


class QuestionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def targets(self, actor: Actor) -> list[Target]:
        """The classes the person may ask about, each once (a parent of two children in
        one class asks one teacher), a student's class before a parent's."""
        reader = self._db.reader
        children = None
        found: dict[int, Target] = {}
        for role in (Role.STUDENT, Role.PARENT):
            for grant in actor.grants:
                if grant.role is not role or not grant.active or grant.class_id is None:
                    continue
                if grant.class_id in found:
                    continue
                kids: tuple[Who, ...] = ()
                if role is Role.PARENT:
                    if children is None:
                        children = await reader.questions.children_of(actor.person_id)
                    kids = tuple(
                        Who(child.name, child.gender)
                        for child in children
                        if child.class_id == grant.class_id
                    )
                found[grant.class_id] = Target(
                    grant.class_id,
                    grant.class_name or "",
                    role,
                    await reader.roles.class_teacher_of(grant.class_id),
                    kids,
                )
        return list(found.values())

    async def ask(
        self, asker: int, target: Target, text: str, files: Sequence[FileEntry]
    ) -> int | None:
        """A new question to the target's class teacher; None if the class has none."""
        if target.teacher_id is None:
            return None
        async with self._db.transaction() as tx:
            question_id = await tx.questions.create(asker, target.teacher_id, target.class_id)
            await tx.questions.add_message(question_id, asker, text, files)
        return question_id

    async def write(
        self, question_id: int, author: int, text: str, files: Sequence[FileEntry]
    ) -> QuestionRow | None:
        """Adds to an open question's thread; None if it is closed or not the author's."""
        async with self._db.transaction() as tx:
            question = await tx.questions.get(question_id)
            if question is None or not question.is_open or not takes_part(question, author):
                return None
            await tx.questions.add_message(question_id, author, text, files)
            if author == question.teacher_id:
                await tx.questions.mark_answered(question_id)
        return question

    async def close(self, question_id: int, by: int) -> QuestionRow | None:
        """Closes the question; None if it was closed already or `by` takes no part."""
        async with self._db.transaction() as tx:
            question = await tx.questions.get(question_id)
            if question is None or not takes_part(question, by):
                return None
            if not await tx.questions.close(question_id, by):
                return None
        return question

    async def get(self, question_id: int) -> QuestionRow | None:
        return await self._db.reader.questions.get(question_id)

    async def open_of(self, person_id: int) -> list[QuestionRow]:
        return await self._db.reader.questions.open_of(person_id)

    async def first_texts(self, question_ids: Sequence[int]) -> dict[int, str]:
        return await self._db.reader.questions.first_text(question_ids)

    async def unanswered(self, before: datetime, limit: int) -> list[QuestionRow]:
        return await self._db.reader.questions.unanswered_since(before, limit)

    async def to_escalate(self, before: datetime, limit: int) -> list[QuestionRow]:
        return await self._db.reader.questions.to_escalate(before, limit)

    async def mark_escalated(self, question_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await tx.questions.mark_escalated(question_id)

    async def askers(self, questions: Sequence[QuestionRow]) -> dict[int, Asker]:
        """Who asked each question (by question id), with their class and children."""
        reader = self._db.reader
        people = sorted({q.asker_id for q in questions if q.asker_id is not None})
        names = await reader.people.names(people)
        found: dict[int, Asker] = {}
        for question in questions:
            asker = question.asker_id
            if asker is None:
                continue
            roles = await reader.roles.active_for(asker)
            in_class = {row.role for row in roles if row.class_id == question.class_id}
            role = (
                Role.STUDENT
                if Role.STUDENT.value in in_class
                else Role.PARENT
                if Role.PARENT.value in in_class
                else None
            )
            children: tuple[Who, ...] = ()
            if role is Role.PARENT:
                children = tuple(
                    Who(child.name, child.gender)
                    for child in await reader.questions.children_of(asker)
                    if child.class_id == question.class_id
                )
            found[question.id] = Asker(
                names.get(asker, Who("")), question.class_name or "", role, children
            )
        return found

    async def names(self, person_ids: Sequence[int]) -> dict[int, Who]:
        return await self._db.reader.people.names(list(person_ids))


def takes_part(question: QuestionRow, person_id: int) -> bool:
    return person_id in (question.asker_id, question.teacher_id)


def other_side(question: QuestionRow, person_id: int) -> int | None:
    """Whom a message of `person_id` in the question goes to."""
    return question.teacher_id if person_id == question.asker_id else question.asker_id
