"""The command catalogue: every command, who may use it, and where. Data, not code paths.

Handlers match commands by this catalogue; /help, the menu and refusals are rendered from it;
the access matrix in the docs is printed from it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.domain.roles import Role
from bot.texts import BUTTONS


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    usage: str
    # None: anyone (even before consent); an empty set: anyone who consented.
    roles: frozenset[Role] | None = frozenset()
    button: str | None = None
    where: str = "private"  # "private", "chat" or "any"
    in_menu: bool = False
    # Reached by a button only; not listed in /help.
    hidden: bool = False
    # The menu leaves the button out for holders of these roles (they never need it).
    not_in_menu_for: frozenset[Role] = frozenset()
    # Of use only while the bot serves two messengers (a move between them): /help lists
    # it then.
    two_messengers: bool = False


ANYONE = None
CONSENTED: frozenset[Role] = frozenset()

ADMIN = frozenset({Role.ADMIN})
ADMIN_OR_DIRECTOR = frozenset({Role.ADMIN, Role.DIRECTOR})
ADMIN_OR_CLASS_TEACHER = frozenset({Role.ADMIN, Role.CLASS_TEACHER})
STAFF = frozenset({Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER})
TEACHING = STAFF
PLANNERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER})
# Subject teachers too, for the classes they teach (clause 2.4): the handlers check which.
SPEAKERS = STAFF
# Whoever is told of events: the staff, the students and the parents.
SCHOOL_PEOPLE = frozenset(Role)
# Who asks the class teacher questions, and who sees open questions (asked or to answer).
FAMILY = frozenset({Role.PARENT, Role.STUDENT})
ASKING = frozenset({Role.PARENT, Role.STUDENT, Role.CLASS_TEACHER})

# fmt: off
COMMANDS: tuple[CommandSpec, ...] = (
    # First contact and general (clause 3)
    CommandSpec("start", "начать работу с ботом", "/start", ANYONE, BUTTONS["start"], "any"),
    CommandSpec("agree", "дать согласие на обработку данных", "/agree", ANYONE),
    CommandSpec("decline", "отказаться от обработки данных", "/decline", ANYONE, hidden=True),
    CommandSpec("help", "список команд", "/help", ANYONE, BUTTONS["help"], "any", in_menu=True),
    CommandSpec("menu", "показать кнопки меню", "/menu", CONSENTED, BUTTONS["menu"]),
    CommandSpec("support", "поддержка платформы и администраторы школы", "/support", ANYONE,
                BUTTONS["support"], "any", in_menu=True),
    CommandSpec("cancel", "прервать текущий диалог", "/cancel", ANYONE, BUTTONS["cancel"], "any"),
    CommandSpec("forget_me", "удалить мои персональные данные", "/forget_me", CONSENTED,
                BUTTONS["forget_me"]),
    # A school moving from VK to MAX: one person on both messengers
    CommandSpec("link_max", "связать с ботом свой аккаунт в MAX", "/link_max", CONSENTED,
                two_messengers=True),
    CommandSpec("link_vk", "связать с ботом свой аккаунт ВКонтакте", "/link_vk", CONSENTED,
                two_messengers=True),
    CommandSpec("messenger", "где получать сообщения бота: ВКонтакте или MAX", "/messenger",
                CONSENTED, two_messengers=True),
    # Joining the school's space (clauses 2.1, 2.5, 2.7)
    CommandSpec("join", "войти по коду приглашения", "/join <код>", CONSENTED),
    CommandSpec("request", "попросить принять вас в класс, если нет приглашения", "/request",
                CONSENTED, BUTTONS["request"], in_menu=True, not_in_menu_for=STAFF),
    # Structure (clause 2.1)
    CommandSpec("classes", "классы, классные руководители и численность", "/classes",
                ADMIN_OR_DIRECTOR, BUTTONS["classes"], in_menu=True),
    CommandSpec("class_add", "добавить классы", "/class_add 5А 5Б 10В", ADMIN),
    CommandSpec("class_remove", "удалить пустой класс", "/class_remove 5Б", ADMIN),
    CommandSpec("class_teacher", "назначить классного руководителя",
                "/class_teacher 5А <человек>", ADMIN),
    CommandSpec("class_teacher_confirm", "заменить классного руководителя",
                "/class_teacher_confirm", ADMIN, hidden=True),
    CommandSpec("teaches", "в каких классах учитель ведёт уроки: назначить или показать",
                "/teaches <учитель> [5А 5Б] [предмет]", ADMIN),
    CommandSpec("teaches_remove", "снять учителя с классов", "/teaches_remove <учитель> [5А]",
                ADMIN),
    CommandSpec("admin_add", "назначить дополнительного администратора", "/admin_add <человек>",
                ADMIN_OR_DIRECTOR),
    CommandSpec("admin_remove", "снять администратора", "/admin_remove <человек>",
                ADMIN_OR_DIRECTOR),
    CommandSpec("who", "кто это: роли и классы человека, найденного по фамилии",
                "/who <фамилия [имя]>", STAFF),
    # Invitations (clauses 2.1, 2.3)
    CommandSpec("invite", "создать ссылку-приглашение",
                "/invite teacher | student 5А | parent 5А [ученик] [число использований]",
                ADMIN_OR_CLASS_TEACHER),
    CommandSpec("invite_for", "приглашение родителям выбранного ученика", "/invite_for",
                ADMIN_OR_CLASS_TEACHER, hidden=True),
    CommandSpec("invites", "приглашения: действующие, использованные, просроченные", "/invites",
                ADMIN_OR_CLASS_TEACHER, BUTTONS["invites"], in_menu=True),
    CommandSpec("annul", "аннулировать приглашение или все невостребованные",
                "/annul <номер или код> | /annul stale", ADMIN_OR_CLASS_TEACHER),
    # Join requests and teacher verification (clause 2.1)
    CommandSpec("requests", "заявки на вступление, ждущие решения", "/requests",
                ADMIN_OR_CLASS_TEACHER, BUTTONS["requests"], in_menu=True),
    CommandSpec("approve", "принять заявку", "/approve <номер> [имя ребёнка]",
                ADMIN_OR_CLASS_TEACHER),
    CommandSpec("reject", "отклонить заявку", "/reject <номер> [причина]",
                ADMIN_OR_CLASS_TEACHER),
    CommandSpec("verify", "подтвердить статус «учитель»", "/verify [человек]",
                ADMIN_OR_DIRECTOR, BUTTONS["verify"], in_menu=True),
    # Movement (clause 2.1)
    CommandSpec("move", "перевести ученика в другой класс", "/move <человек> <класс>", ADMIN),
    CommandSpec("leave", "отметить выбытие человека", "/leave <человек>", ADMIN),
    CommandSpec("leave_decide", "решить, выбывают ли родители", "/leave_decide", ADMIN,
                hidden=True),
    CommandSpec("move_decide", "решить, переходят ли родители", "/move_decide", ADMIN,
                hidden=True),
    # Families: who is whose parent
    CommandSpec("family", "семья: дети родителя, родители ученика; связать или развязать",
                "/family [человек] | /family <родитель> + <ученик>", CONSENTED),
    CommandSpec("family_remove", "убрать связь родителя и ребёнка", "/family_remove",
                ADMIN_OR_CLASS_TEACHER, hidden=True),
    CommandSpec("class", "ученики класса и их родители", "/class 5А", PLANNERS),
    CommandSpec("audit", "журнал действий: кто что сделал, с фильтрами",
                "/audit [человек] [класс] [дата или период]", ADMIN_OR_DIRECTOR),
    CommandSpec("audit_export", "выгрузить журнал действий в XLSX",
                "/audit_export [человек] [класс] [дата или период]", ADMIN_OR_DIRECTOR),
    CommandSpec("moving", "переход на MAX: сколько людей каждого класса уже там", "/moving",
                ADMIN_OR_DIRECTOR, two_messengers=True),
    # Chats (clauses 2.2–2.5)
    CommandSpec("chats", "мои чаты: какие нужны, какие есть, ссылки", "/chats [класс]", CONSENTED,
                BUTTONS["chats"], in_menu=True),
    CommandSpec("bind", "привязать эту беседу к классу или назначению", "/bind <вид> [класс]",
                STAFF, where="chat"),
    CommandSpec("unbind", "отвязать эту беседу", "/unbind", STAFF, where="chat"),
    CommandSpec("relink", "отозвать ссылку-приглашение беседы и выпустить новую", "/relink",
                STAFF, where="chat"),
    # Questions to the class teacher: a parent or a student writes, the teacher answers
    CommandSpec("ask", "написать классному руководителю (текст, фото, файлы)", "/ask",
                FAMILY, BUTTONS["ask"], in_menu=True),
    CommandSpec("questions", "открытые вопросы классному руководителю", "/questions",
                ASKING),
    CommandSpec("ask_to", "выбрать класс для вопроса", "/ask_to", FAMILY, hidden=True),
    CommandSpec("ask_send", "отправить вопрос или сообщение в него", "/ask_send", CONSENTED,
                hidden=True),
    CommandSpec("ask_drop", "не отправлять вопрос", "/ask_drop", CONSENTED, hidden=True),
    CommandSpec("question_reply", "ответить в вопросе", "/question_reply", CONSENTED,
                hidden=True),
    CommandSpec("question_close", "закрыть вопрос", "/question_close", CONSENTED, hidden=True),
    # Duties and guidance (clauses 2.1–2.7, 3)
    CommandSpec("duties", "мои обязанности по Положению и следующий шаг", "/duties", CONSENTED,
                BUTTONS["duties"], in_menu=True),
    CommandSpec("done", "отметить пункт выполненным", "/done <номер>", CONSENTED),
    CommandSpec("undone", "снять отметку с пункта", "/undone <номер>", CONSENTED),
    CommandSpec("registration", "заявка на регистрацию школы в «Сферуме»", "/registration",
                ADMIN),
    CommandSpec("security", "как защитить учебный профиль", "/security", CONSENTED),
    CommandSpec("webinars", "семинары и вебинары для педагогов", "/webinars", TEACHING),
    # The scheduler's reports, now (clause 2.1)
    CommandSpec("digest", "сводка того, что ждёт решения, сейчас", "/digest", ADMIN),
    CommandSpec("stats", "статистика использования платформы", "/stats", ADMIN_OR_DIRECTOR,
                BUTTONS["stats"], in_menu=True),
    # Broadcasts and meetings (clauses 2.1–2.4)
    CommandSpec("event", "запланировать трансляцию, урок или встречу", "/event", SPEAKERS),
    CommandSpec("events", "предстоящие трансляции, уроки и встречи; ответы на встречу",
                "/events [номер]", SCHOOL_PEOPLE),
    CommandSpec("event_cancel", "отменить событие", "/event_cancel <номер>", SPEAKERS),
    CommandSpec("rsvp", "ответ на встречу: приду или нет", "/rsvp", SCHOOL_PEOPLE, hidden=True),
    CommandSpec("rsvp_who", "кто ответил на встречу", "/rsvp_who", SPEAKERS, hidden=True),
    # Announcements and the system channels (clauses 2.1, 2.2)
    CommandSpec("announce", "объявление людям напрямую, с предпросмотром",
                "/announce <кому> [классы] <текст>", SPEAKERS),
    CommandSpec("post", "публикация в системный канал", "/post school|staff <текст>",
                ADMIN_OR_DIRECTOR),
    CommandSpec("propose", "передать материал администратору для публикации",
                "/propose <текст>", frozenset({Role.DIRECTOR})),
    CommandSpec("proposal", "решение по материалу руководителя", "/proposal", ADMIN, hidden=True),
    # Rosters (clause 2.1): files in and out
    CommandSpec("template", "шаблон XLSX для загрузки списков", "/template", ADMIN),
    CommandSpec("export", "выгрузить списки в XLSX", "/export", ADMIN_OR_DIRECTOR),
    CommandSpec("roster_apply", "применить проверенный файл", "/roster_apply", ADMIN, hidden=True),
)
# fmt: on

_BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
_BY_BUTTON: dict[str, CommandSpec] = {
    spec.button.casefold(): spec for spec in COMMANDS if spec.button is not None
}


def spec(name: str) -> CommandSpec:
    return _BY_NAME[name]


def known_commands() -> frozenset[str]:
    return frozenset(_BY_NAME)


def all_specs() -> list[CommandSpec]:
    return list(_BY_NAME.values())


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str
    known: bool


_MENTION = re.compile(r"^\s*\[(?:club|public)(\d+)\|[^\]]*\][\s,:]*")
_COMMAND = re.compile(r"^/([A-Za-z_]{1,32})(?:@(\S+))?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class Community:
    """This bot as a chat's members address it: several bots may share one chat, and a
    command addressed to another one is not for this one."""

    group_id: int
    screen_name: str | None = None

    def named(self, name: str) -> bool:
        """`/help@name`: whether `name` is this community. Unsure without its screen name,
        it then takes the command rather than leave its own people unanswered."""
        name = name.lower()
        if name in (f"club{self.group_id}", f"public{self.group_id}"):
            return True
        return self.screen_name is None or name == self.screen_name.lower()

    def mentioned_in(self, text: str) -> bool:
        return f"[club{self.group_id}|" in text or f"[public{self.group_id}|" in text


def strip_mention(text: str) -> str:
    return _MENTION.sub("", text, count=1).strip()


# SQLite's INTEGER: an id beyond it cannot be ours, and could not even be looked up.
_ID_RANGE = range(-(2**63), 2**63)


def _in_range(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value not in _ID_RANGE:
        return None
    if isinstance(value, list):
        return [_in_range(item) for item in value]
    if isinstance(value, dict):
        return {key: _in_range(item) for key, item in value.items()}
    return value


def payload_command(payload: Any) -> tuple[str, dict[str, Any]] | None:
    """A button payload `{"cmd": name, ...}` as (name, payload). A payload is untrusted
    (a client can forge it): numbers no id can have are dropped, as if missing."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if isinstance(payload, dict) and isinstance(payload.get("cmd"), str):
        return payload["cmd"], _in_range(payload)
    return None


def parse_command(
    text: str, payload: Any = None, me: Community | None = None
) -> ParsedCommand | None:
    """What command, if any, a message means: a button payload, `/name args`, or a label.

    With `me` given, a command addressed to another community (`[club999|@other] /help`,
    `/help@other`) means nothing to this bot."""
    from_payload = payload_command(payload)
    if from_payload is not None:
        name, _ = from_payload
        return ParsedCommand(name, "", name in _BY_NAME)
    text = text or ""
    mention = _MENTION.match(text)
    if mention is not None and me is not None and int(mention.group(1)) != me.group_id:
        return None
    text = strip_mention(text)
    match = _COMMAND.match(text)
    if match:
        addressee = match.group(2)
        if addressee is not None and me is not None and not me.named(addressee):
            return None
        name = match.group(1).lower()
        return ParsedCommand(name, (match.group(3) or "").strip(), name in _BY_NAME)
    by_label = _BY_BUTTON.get(text.casefold())
    if by_label is not None:
        return ParsedCommand(by_label.name, "", True)
    return None
