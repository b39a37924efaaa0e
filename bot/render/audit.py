"""The audit log in words: a Russian sentence for each row, with names declined.

The wording of an action is two texts of bot/texts.py: "audit_action.<action>", the sentence,
and "audit_title.<action>", its short name for the export's «Действие» column. A sentence has
{actor} and {subject} (people as `Who`, shortened «Смирнова А. П.» for the actor; a person
whose data was deleted reads as «удалённый пользователь»), {class} (the class the row
concerns) and every detail of the row by its key, some put into words first (`_words`). An
action with no wording, or an old row missing a detail its sentence needs, still reads as
words: the generic line names the action's code and its details."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from bot.render.chats import describe
from bot.storage.audit import AuditRow
from bot.texts import MESSENGER_WHERE, TEXTS, Who, format_moment, role_name, t

SENTENCE = "audit_action."
TITLE = "audit_title."
# Details that name a person by their id (besides the row's actor and subject).
PERSON_DETAILS = ("previous", "child")
# Actions the bot takes by itself: their rows have no actor, which is not a deleted person.
SYSTEM_ACTIONS = frozenset({"departed_data_deleted"})


def has_wording(action: str) -> bool:
    return SENTENCE + action in TEXTS and TITLE + action in TEXTS


def people_of(rows: Iterable[AuditRow]) -> list[int]:
    """Everyone the rows name, to read their names at once."""
    ids: set[int] = set()
    for row in rows:
        ids.update(i for i in (row.actor_id, row.subject_id) if i is not None)
        for key in PERSON_DETAILS:
            value = row.details.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
    return sorted(ids)


def short_name(who: Who) -> Who:
    """«Смирнова Анна Петровна» → «Смирнова А. П.», keeping the person's gender."""
    words = who.full_name.split()
    if len(words) < 2:
        return who
    initials = " ".join(f"{word[0]}." for word in words[1:3])
    return Who(f"{words[0]} {initials}", who.sex)


def person(person_id: int | None, names: Mapping[int, Who]) -> Who | str:
    if person_id is None:
        return t("audit_deleted_person")
    return names.get(person_id) or t("audit_unnamed_person")


def class_of(row: AuditRow) -> str:
    value = row.class_name or row.details.get("class") or row.details.get("to")
    return str(value) if value else ""


def sentence(row: AuditRow, names: Mapping[int, Who]) -> str:
    """The row as a Russian sentence (no time), with its class unless the sentence names it."""
    actor = person(row.actor_id, names)
    subject = person(row.subject_id, names)
    class_name = class_of(row)
    text: str | None = None
    if has_wording(row.action):
        values = {
            **{key: value for key, value in row.details.items() if _plain(value)},
            **_words(row, names),
            "actor": short_name(actor) if isinstance(actor, Who) else actor,
            "subject": subject,
            "class": class_name,
        }
        try:
            text = t(SENTENCE + row.action, **values)
        except (KeyError, IndexError, ValueError):
            text = None  # an older row without a detail the sentence needs
    if text is None:
        text = _generic(row, actor, subject)
    if class_name and class_name not in text:
        text += f", {class_name}"
    return text[:1].upper() + text[1:]


def line(row: AuditRow, names: Mapping[int, Who], zone: tzinfo) -> str:
    """«12.11 09:30 — Смирнова А. П. перевела Белова Михаила из 5А в 5Б (с родителями: 2)»."""
    when = row.at.astimezone(zone).strftime("%d.%m %H:%M")
    return t("audit_line", when=when, sentence=sentence(row, names))


def cells(row: AuditRow, names: Mapping[int, Who], zone: tzinfo) -> tuple[str, ...]:
    """The export's columns: when (school time), who, the action, whom, the class, the
    sentence."""
    return (
        format_moment(row.at, zone),
        _named(row.actor_id, row.action in SYSTEM_ACTIONS, names),
        TEXTS.get(TITLE + row.action, row.action),
        _named(row.subject_id, "{subject" not in TEXTS.get(SENTENCE + row.action, ""), names),
        class_of(row),
        sentence(row, names),
    )


def _named(person_id: int | None, nobody: bool, names: Mapping[int, Who]) -> str:
    """A person's name; blank where the action names nobody in that place (the bot's own
    deletion, a class added), «удалённый пользователь» where one was named and is gone."""
    if person_id is None and nobody:
        return ""
    return str(person(person_id, names))


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _words(row: AuditRow, names: Mapping[int, Who]) -> dict[str, Any]:
    """Details put into words for the sentences."""
    details = row.details
    words: dict[str, Any] = {}
    if isinstance(details.get("role"), str):
        words["role"] = role_name(details["role"])
    previous = details.get("previous")
    words["previous"] = (
        t("audit_previous", previous=names[previous])
        if isinstance(previous, int) and previous in names
        else ""
    )
    if "peer" in details:
        title = row.chat_title
        words["chat"] = (
            t("audit_chat_gone")
            if title is None
            else t("audit_chat", title=title or t("audit_chat_untitled"))
        )
    if isinstance(details.get("kind"), str):
        words["kind"] = describe(details["kind"], details.get("sub"), class_of(row) or None)
    words["reason"] = TEXTS.get(f"audit_reason.{details.get('reason')}", "")
    words["with_parents"] = t("audit_with_parents") if details.get("with_parents") else ""
    child = details.get("child")
    words["child"] = (
        t("audit_child", child=names[child])
        if isinstance(child, int) and child in names
        else t("audit_child_unregistered")
        if details.get("unregistered")
        else t("audit_child_unknown")
    )
    classes = details.get("classes")
    if isinstance(classes, list):
        words["classes"] = ", ".join(str(name) for name in classes)
    # A teacher's subject: {subject} is the person the row concerns.
    lesson = details.get("subject")
    words["lesson"] = f" ({lesson})" if isinstance(lesson, str) and lesson else ""
    title = details.get("title")
    words["title"] = f" «{title}»" if isinstance(title, str) and title else ""
    if isinstance(details.get("messenger"), str):
        words["where"] = MESSENGER_WHERE.get(details["messenger"], details["messenger"])
    return words


def _generic(row: AuditRow, actor: Who | str, subject: Who | str) -> str:
    shown = [
        f"{key}: {value}"
        for key, value in row.details.items()
        if _plain(value) and key not in ("class",) and value != ""
    ]
    return t(
        "audit_action_unknown",
        actor=short_name(actor) if isinstance(actor, Who) else actor,
        action=row.action,
        subject=t("audit_unknown_subject", subject=subject) if row.subject_id else "",
        details=f" ({', '.join(shown)})" if shown else "",
    )
