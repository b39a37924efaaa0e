"""Every word the bot says, in one catalogue. Handlers refer to texts by key.

A placeholder may say the grammar it needs (bot/russian.py does the Russian):

* ``{name}`` — the value as given; a person (`Who`) gives the full name, a list is joined by
  commas.
* ``{name:datv}`` — in a case: nomn, gent, datv, accs, ablt, loct. Works on a person
  (`Who(full_name, gender)`, declined by gender: «Смирновой Елене»), on an `Amount` («1
  минуту») and on plain words and comma-separated lists of them (roles: «классному
  руководителю 5А, администратору»).
* ``{issuer:выдал|выдала}`` — the form agreeing with a person's gender (a `Who`, or a name
  given as a plain str: gender guessed); with a third form, ``{names:Его|Её|Их}``, a list of
  several `Who` takes the third. With a number, or a list of anything else (counted), the
  forms are one|few|many: ``{count:ждёт|ждут}``, ``{roles:роль|роли|роли}``.
* ``{count:заявка}`` — a number with the noun (nominative singular) agreeing: «5 заявок»;
  ``{count:минута:accs}`` in a case: «через 1 минуту».

Pass people as `Who` (with the gender from VK when known) wherever a text names them, numbers
as int and durations as `format_age(...)` (an `Amount`), so every text can agree with them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.russian import FORMATTER, Amount, counted
from bot.russian import Who as Who  # texts' callers name people with it


def plural(count: int, forms: tuple[str, str, str]) -> str:
    """The Russian form agreeing with `count`: (1 заявка, 3 заявки, 12 заявок)."""
    one, few, many = forms
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        return many
    last = tail % 10
    if last == 1:
        return one
    if 2 <= last <= 4:
        return few
    return many


SUPPORT_EMAIL = "info@sferum.ru"
SUPPORT_SITE = "prof-sferum.ru"

# Roles in the nominative, as in «роль: ученик»; texts decline them: «{roles:datv}».
ROLE_NAMES: dict[str, str] = {
    "admin": "администратор",
    "director": "администрация школы",
    "class_teacher": "классный руководитель",
    "teacher": "учитель",
    "student": "ученик",
    "parent": "родитель",
    "guest": "без роли",
}

BUTTONS: dict[str, str] = {
    "start": "Начать",
    "help": "Помощь",
    "menu": "Меню",
    "support": "Поддержка",
    "cancel": "Отмена",
    "agree": "Согласен(на)",
    "decline": "Не согласен(на)",
    "forget_confirm": "Да, удалить мои данные",
    "forget_me": "Удалить мои данные",
    "request": "Подать заявку",
    "classes": "Классы",
    "invites": "Приглашения",
    "requests": "Заявки",
    "verify": "Подтвердить учителей",
    "approve": "Принять",
    "reject": "Отклонить",
    "confirm_verify": "Подтвердить",
    "i_am_parent": "Я родитель",
    "i_am_student": "Я ученик",
    "send_request": "Отправить заявку",
    "replace": "Заменить",
    "keep": "Оставить как есть",
    "with_parents": "Выбывают и родители",
    "without_parents": "Только ученик",
    "annul_stale": "Аннулировать невостребованные",
    "chats": "Чаты",
    "duties": "Мои обязанности",
    "mark_done": "Отметить выполненным",
    "audience_school": "Вся школа",
    "audience_staff": "Сотрудники",
    "audience_students": "Ученики класса",
    "audience_parents": "Родители класса",
    "audience_chat": "Беседа",
    "no_link": "Без ссылки",
    "stats": "Статистика",
    "send": "Отправить",
    "publish_school": "В общешкольный канал",
    "publish_staff": "В канал «Сотрудники»",
    "decline_proposal": "Отклонить",
    "apply": "Применить",
    "plan": "Запланировать",
    # Issue 15 — readable records
    "audit_export": "Выгрузить в XLSX",
    "audit_today": "За сегодня",
    "audit_week": "За неделю",
    # Issue 15 — subject teachers' reach, everyone's view of events, meetings people answer
    "audience_class": "Ученики и родители",
    "rsvp_yes": "Приду",
    "rsvp_no": "Не приду",
    "rsvp_who": "Кто ответил",
    # Issue 15 — questions to the class teacher
    "ask": "Написать классному руководителю",
    "question_send": "Отправить",
    "question_drop": "Не отправлять",
    "question_reply": "Ответить",
    "question_close": "Закрыть вопрос",
    "page_back": "‹ Назад",
    "page_next": "Дальше ›",
    # Issue 15 — families
    "invite_whole_class": "Для всего класса",
    "child_not_listed": "Моего ребёнка нет в списке",
    "keep_child_name": "Оставить как есть",
    "move_with_parents": "Вместе с родителями",
    "move_without_parents": "Только ученика",
}

TEXTS: dict[str, str] = {
    # First contact and consent
    "greeting_new": (
        "Здравствуйте, {name}! Я помощник {school:gent} в учебном профиле VK Мессенджера («Сферум»).\n\n"
        "Я помогаю присоединиться к школьному пространству по приглашению, передаю заявки "
        "классному руководителю и администратору, напоминаю каждому, что положено сделать по "
        "Положению об использовании «Сферума», и подсказываю, как это сделать."
    ),
    "greeting_new.max": (
        "Здравствуйте, {name}! Я помощник {school:gent} в «Сферуме» в мессенджере MAX.\n\n"
        "Я помогаю присоединиться к школьному пространству по приглашению, передаю заявки "
        "классному руководителю и администратору, напоминаю каждому, что положено сделать по "
        "Положению об использовании «Сферума», и подсказываю, как это сделать."
    ),
    # Lists of several pages (bot/render/paging.py)
    "page_footer": "Страница {number} из {pages}",
    "greeting_known": "Здравствуйте, {name}! Чем помочь? Список команд — /help.",
    "consent_request": (
        "Чтобы работать с вами, мне нужно ваше согласие на обработку персональных данных "
        "(Федеральный закон № 152-ФЗ). Я храню только то, что нужно для работы школы: ваш "
        "идентификатор ВКонтакте, ФИО, роль и класс. Пароли и коды я не храню и не прошу. "
        "Согласие можно отозвать в любой момент командой /forget_me — тогда ваши данные будут "
        "удалены.\n\nВы согласны? Нажмите кнопку или отправьте /agree."
    ),
    "consent_request.max": (
        "Чтобы работать с вами, мне нужно ваше согласие на обработку персональных данных "
        "(Федеральный закон № 152-ФЗ). Я храню только то, что нужно для работы школы: ваш "
        "идентификатор в MAX, ФИО, роль и класс. Пароли и коды я не храню и не прошу. "
        "Согласие можно отозвать в любой момент командой /forget_me — тогда ваши данные будут "
        "удалены.\n\nВы согласны? Нажмите кнопку или отправьте /agree."
    ),
    "consent_given": "Спасибо, согласие получено.",
    "consent_roles_granted": "Вам {roles:назначена роль|назначены роли|назначены роли}: {roles}.",
    "consent_already": "Согласие уже получено ранее. Список команд — /help.",
    "consent_declined": (
        "Хорошо, я ничего о вас не сохраняю. Если передумаете, нажмите «Начать» или "
        "отправьте /agree."
    ),
    "consent_needed": (
        "Сначала нужно ваше согласие на обработку персональных данных. Нажмите «Начать»."
    ),
    "consent_needed_in_chat": (
        "Чтобы пользоваться командами, сначала напишите мне в личные сообщения и дайте "
        "согласие на обработку персональных данных."
    ),
    "ref_kept": "Код приглашения сохранён: я применю его сразу после вашего согласия.",
    "guest_next_steps": (
        "Вы пока не состоите ни в одном классе. Чтобы присоединиться, откройте ссылку-приглашение "
        "от классного руководителя или администратора либо отправьте код командой /join <код>."
    ),
    # Help, menu, support
    "help_header": "Команды, доступные вам:",
    "help_section": "\n{title}:",
    "help_line": "{usage} — {summary}",
    "help_general_title": "Для всех",
    "help_footer": "\nКнопки меню — /menu. Прервать любой диалог — /cancel.",
    "help_before_consent": (
        "Я помощник школы в «Сферуме». Чтобы начать, нажмите «Начать» и дайте согласие на "
        "обработку персональных данных. Поддержка платформы — /support."
    ),
    "menu": "Меню открыто: выберите действие кнопкой.",
    "support": (
        "Служба технической поддержки «Сферума»: {email}.\n"
        "Инструкции и материалы: {site}.\n\n{admins}"
    ),
    "support_admins": "Администраторы «Сферума» в школе:\n{lines}",
    # {admin} and {profile}: links to a person's profile (`mention`), the adapter writes them.
    "support_admin_line": "• {admin}",
    "mention_profile": "профиль",
    "support_no_admins": "Администратор «Сферума» в школе пока не назначен.",
    "cancel_done": "Диалог прерван. Чем ещё помочь? Список команд — /help.",
    "cancel_nothing": "Сейчас нечего отменять. Список команд — /help.",
    # Personal data
    "forget_confirm": (
        "Удалить ваши персональные данные? Будут удалены ваше ФИО, роли и всё, что вы "
        "сообщили боту. Вернуться можно будет только по новому приглашению.\n\n"
        "Подтвердите кнопкой «{button}» или отмените."
    ),
    "forget_done": (
        "Ваши данные удалены. Спасибо, что были с нами. Если захотите вернуться, нажмите «Начать»."
    ),
    "forget_cancelled": "Удаление отменено, ваши данные на месте.",
    "dialog_revoked": "Ничего не сделано, диалог прерван: команда {command} вам больше не доступна.",
    "dialog_expects_button": "Пожалуйста, выберите вариант кнопкой или отправьте /cancel.",
    # Arguments
    "class_name_invalid": (
        "«{text}» — не название класса. Класс — это номер от 1 до 11 и одна русская заглавная "
        "буква, например 5А, 10Б."
    ),
    "class_unknown": "Класса {name} нет. Список классов — /classes.",
    "person_missing": "Укажите человека: ссылку на страницу, @id123 или упоминание.",
    "person_invalid": (
        "«{text}» — не похоже на человека ВКонтакте. Подойдёт ссылка https://vk.com/id123, "
        "@id123, упоминание или короткое имя страницы."
    ),
    "person_missing.max": "Укажите человека: max:123 (номер в MAX) или vk:123 (ВКонтакте).",
    "person_invalid.max": (
        "«{text}» — не похоже на человека. Подойдёт max:123 (номер пользователя в MAX), "
        "а для ВКонтакте — vk:123 или ссылка https://vk.com/id123."
    ),
    "person_unknown": (
        "Этот человек ещё не писал боту или не дал согласие на обработку данных. Попросите его "
        "написать боту «Начать»."
    ),
    "number_invalid": "«{text}» — не номер. Пример: {usage}",
    "usage": "Как пользоваться: {usage}",
    # Issue 15 — people by name, and long lists paged
    "person_by_name_none": (
        "Не нашёл никого по имени «{text}». Проверьте, как написана фамилия, или напишите "
        "фамилию и имя. Можно и указать человека ссылкой на страницу, @id123 или упоминанием. "
        "Если человек ещё не писал боту, попросите его написать боту «Начать»."
    ),
    "person_by_name_none.max": (
        "Не нашёл никого по имени «{text}». Проверьте, как написана фамилия, или напишите "
        "фамилию и имя. Можно и указать человека номером: max:123 (в MAX) или vk:123 "
        "(ВКонтакте). Если человек ещё не писал боту, попросите его написать боту «Начать»."
    ),
    "person_by_name_scope_class_teacher": (
        "Я ищу среди учеников и родителей ваших классов и сотрудников школы; других людей "
        "назовёт администратор."
    ),
    "person_by_name_scope_staff": "Я ищу среди сотрудников школы.",
    "person_by_name_several": "По имени «{text}» нашлось {count:человек}:",
    "person_by_name_line": "• {name} — {who}",
    "person_by_name_departed": "{name:выбыл|выбыла}",
    "person_by_name_press": "Выберите, кого вы имели в виду.",
    "person_by_name_type": "Напишите фамилию и имя полностью или укажите человека ссылкой.",
    "person_by_name_too_many": (
        "…и ещё {count:человек}. Напишите фамилию и имя полностью, чтобы я нашёл одного."
    ),
    "who_not_visible": "Этого человека я вам не покажу.",
    "who_card": "{name} — {who}. Страница: {profile}, номер для команд: {number}.",
    # Structure
    "classes_added": "Добавлены классы: {names}.",
    "classes_existing": "Уже были: {names}.",
    "classes_none_given": "Укажите классы через пробел, например: /class_add 5А 5Б 10В",
    "classes_header": "Классы школы ({count}):",
    "classes_line": "• {name}: кл. рук. {teacher}; учеников {students}, родителей {parents}",
    "classes_staff_line": "• {name}: учителей {teachers}",
    "classes_no_teacher": "не назначен",
    "classes_empty": "Классов пока нет. Добавьте их: /class_add 5А 5Б",
    "class_removed": "Класс {name} удалён.",
    "class_not_empty": (
        "Класс {name} нельзя удалить: в нём {members:человек}. Сначала переведите или отметьте выбытие."
    ),
    "class_staff_room": "«Учительская» нужна всегда, её удалить нельзя.",
    "class_teacher_set": "{name} — классный руководитель {class_name}.",
    "class_teacher_already": "{name} уже классный руководитель {class_name}.",
    "class_teacher_replace": (
        "У класса {class_name} уже есть классный руководитель: {current}. Заменить на {name:accs}?"
    ),
    "class_teacher_kept": "Хорошо, классный руководитель {class_name} остаётся прежним.",
    "class_teacher_you": "Вы назначены классным руководителем {class_name}. Команды — /help.",
    "class_teacher_you_questions": (
        "Вам переданы открытые вопросы родителей и учеников класса: {count:вопрос}. "
        "Список — /questions."
    ),
    "class_teacher_removed_you": "Вы больше не классный руководитель {class_name}.",
    "not_verified_teacher": (
        "{name} — не подтверждённый учитель. Классным руководителем или администратором может "
        "стать только учитель, вошедший в «Учительскую» и прошедший подтверждение (/verify)."
    ),
    "admin_added": "{name} теперь администратор «Сферума» в школе.",
    "admin_already": "{name} уже администратор.",
    "admin_you": "Вам назначена роль администратора «Сферума» в школе. Команды — /help.",
    "admin_removed": "{name} больше не администратор.",
    "admin_not_admin": "{name} не администратор.",
    "admin_last": "Нельзя снять последнего администратора: сначала назначьте другого (/admin_add).",
    # Invitations
    "invite_usage": (
        "Укажите роль: /invite teacher — учитель (в «Учительскую»), /invite student 5А — ученик, "
        "/invite parent 5А — родитель. В конце можно указать число использований: "
        "/invite parent 5А 30."
    ),
    "invite_role_unknown": "Роль «{text}» не знаю. Подходят: teacher, student, parent.",
    "invite_needs_class": "Для роли «{role}» укажите класс, например: /invite {role_code} 5А",
    "invite_uses_invalid": "Число использований — целое от 1 до 1000, например 30.",
    "invite_not_allowed": (
        "Вы можете приглашать только учеников и родителей своих классов ({classes}). Учителей "
        "приглашает администратор."
    ),
    "invite_created": (
        "Приглашение №{id} создано.\n"
        "Роль: {role}. Класс: {class_name}.\n"
        "Использований: {uses}. Действует до {expires}.\n\n"
        "Ссылка: {link}\n"
        "Или код для команды /join: {code}\n\n"
        "Отправьте ссылку только тем, для кого она предназначена."
    ),
    "uses_unlimited": "без ограничения",
    "invites_header": (
        "Приглашения: действующих {active}, использованных {used}, просроченных {expired}, "
        "аннулированных {annulled}. Невостребованных (не использованы дольше {stale_after:gent}): "
        "{stale}."
    ),
    "invites_line": "№{id} {role}, {class_name} — {state}; {uses}; {issuer:выдал|выдала} {issuer}, {age:accs} назад",
    # Who issued an invitation whose issuer's data was deleted (152-FZ).
    "invites_issuer_forgotten": "бывший участник",
    "invites_stale_mark": " ⚠ невостребовано",
    "invites_empty": "Приглашений пока нет. Создать: /invite",
    "invite_state_active": "действует",
    "invite_state_used": "использовано",
    "invite_state_expired": "просрочено",
    "invite_state_annulled": "аннулировано",
    "invites_uses": "использовано {uses} из {max}",
    "invites_uses_open": "использовано {uses}",
    "annul_usage": "Укажите номер или код приглашения (/annul 12) или /annul stale.",
    "annul_not_found": "Приглашение «{text}» не найдено среди тех, что вам доступны.",
    "annul_done": "Приглашение №{id} аннулировано.",
    "annul_already": "Приглашение №{id} уже не действует ({state}).",
    "annul_stale_done": "Аннулировано невостребованных приглашений: {count}.",
    "annul_stale_none": "Невостребованных приглашений нет.",
    # Joining by code
    "join_usage": "Отправьте код приглашения: /join <код>. Код есть в ссылке после «ref=».",
    "join_wrong": "Такого кода приглашения нет. Проверьте, что код скопирован целиком.",
    "join_locked": (
        "Слишком много неверных кодов. Попробуйте снова после {until} или попросите новую "
        "ссылку у классного руководителя."
    ),
    "join_expired": "Срок действия этого приглашения истёк. Попросите новое у того, кто его выдал.",
    "join_annulled": "Это приглашение аннулировано. Попросите новое у того, кто его выдал.",
    "join_used_up": "Это приглашение уже использовано. Попросите новое у того, кто его выдал.",
    "join_already": "Вы уже состоите в этой роли: {role}, {class_name}.",
    "join_ask_own_name": "Приглашение в {class_name} как ученик. Напишите свои фамилию и имя.",
    "join_ask_child_name": (
        "Приглашение в {class_name} как родитель. Напишите фамилию и имя вашего ребёнка."
    ),
    "name_invalid": (
        "Напишите фамилию и имя русскими буквами, 2–4 слова, например: Иванова Мария."
    ),
    "join_teacher_done": (
        "Вы присоединились к «Учительской» как учитель. Администратор подтвердит ваш статус "
        "«учитель»; до этого команды учителя недоступны. Я сообщу, когда статус подтвердят."
    ),
    "join_student_done": "Готово: вы ученик {class_name}.",
    "join_parent_done": "Готово: вы родитель ученика {class_name} ({child}).",
    "join_teacher_waiting_admin": (
        "Новый учитель ждёт подтверждения статуса: {name}. Подтвердить: /verify {vk_id}"
    ),
    "chat_link_later": "Классный руководитель добавит вас в чат класса.",
    # Join requests
    "request_ask_role": "Кем вы приходитесь школе? Выберите кнопкой.",
    "request_ask_grade": "В каком классе учится ребёнок (или вы)? Выберите параллель.",
    "request_ask_class": "Выберите класс.",
    "request_no_classes": "В школе пока не созданы классы. Попробуйте позже или напишите /support.",
    "request_ask_child_name": "Напишите фамилию и имя ребёнка.",
    "request_ask_own_name": "Напишите свои фамилию и имя.",
    "request_confirm": (
        "Проверьте заявку:\nРоль: {role}\nКласс: {class_name}\nФИО: {name}\n\nОтправить?"
    ),
    "request_confirm_parent": (
        "Проверьте заявку:\nРоль: {role}\nКласс: {class_name}\nРебёнок: {name}\n\nОтправить?"
    ),
    # Who asks and for whom: a parent asks for their child.
    "request_applicant_parent": "{name} (ребёнок: {child})",
    "request_sent": ("Заявка №{id} отправлена. Её рассмотрит {decider}. Я сообщу о решении."),
    "request_decider_class_teacher": "классный руководитель",
    "request_decider_admin": "администратор",
    "request_duplicate": (
        "У вас уже есть заявка в {class_name} (№{id}), она ждёт решения. Я сообщу, когда её "
        "рассмотрят."
    ),
    "request_new": "Новая заявка №{id}: {role}, {class_name}: {name} ({profile}).",
    "requests_header": "Заявки, ждущие решения ({count}), сначала старые:",
    "requests_line": "№{id} {role}, {class_name}: {name} — ждёт {age:accs}",
    "requests_empty": "Заявок, ждущих решения, нет.",
    "requests_more": "…и ещё {count}.",
    "decision_not_found": "Заявки №{id} нет.",
    "decision_not_allowed": (
        "Заявку №{id} решает классный руководитель {class_name} или администратор."
    ),
    "decision_already": "Заявку №{id} уже {status}: {who}, {when}.",
    "decision_approved_status": "приняли",
    "decision_rejected_status": "отклонили",
    "decision_withdrawn_status": "отозвали",
    "decision_done_approved": "Заявка №{id} принята: {name}, {role} в {class_name}.",
    "decision_done_rejected": "Заявка №{id} отклонена.",
    "decision_you_approved": "Ваша заявка №{id} принята: вы {role} в {class_name}.",
    "decision_you_rejected": "Ваша заявка №{id} отклонена.{reason}",
    "decision_reason": " Причина: {reason}",
    "decision_usage": "Укажите номер заявки, например: /approve 12 или /reject 12 причина.",
    # Issue 15 — families
    "invite_pick_child": (
        "Приглашение родителям {class_name}: для родителей какого ученика? Выберите ученика "
        "или «Для всего класса»."
    ),
    "invite_child_several": (
        "В {class_name} несколько учеников по запросу «{name}». Выберите нужного."
    ),
    "invite_child_not_found": (
        "В {class_name} нет зарегистрированного ученика «{name}». Выберите из списка или "
        "«Для всего класса»."
    ),
    "invite_child_none_registered": (
        "В {class_name} пока нет зарегистрированных учеников, и «{name}» среди них не найти. "
        "Приглашение для всего класса: /invite parent {class_name}."
    ),
    "invite_child_gone": (
        "Этого ученика уже нет в {class_name}. Выберите другого: /invite parent {class_name}."
    ),
    "invite_created_for_child": (
        "Для родителей {child:ученика|ученицы}: {child}. Имя ребёнка у родителя не спросят."
    ),
    "request_ask_child_pick": (
        "Выберите вашего ребёнка из списка учеников {class_name}. Если его нет в списке, "
        "нажмите «Моего ребёнка нет в списке»."
    ),
    "request_child_question": (
        "Заявка №{id}: {parent} указывает ребёнка «{child}», а среди зарегистрированных учеников "
        "{class_name} такого имени нет. Это кто-то из них? Выберите ученика или «Оставить как "
        "есть». Исправить имя: /approve {id} Фамилия Имя."
    ),
    "family_claimed": (
        "{name} {name:зарегистрировался|зарегистрировалась} в {class_name}. Связь с "
        "{parents:родителем|родителем|родителями} подтверждена: {parents}."
    ),
    "move_ask_parents": (
        "У {name:ученика|ученицы} {name:gent} есть {parents:родитель|родитель|родители} в боте: "
        "{parents}. {parents:Он тоже переходит|Она тоже переходит|Они тоже переходят} в {new}?"
    ),
    "family_usage": (
        "Как связать родителя с ребёнком: /family <родитель> + <ученик>, например "
        "/family id123 + id456."
    ),
    "family_not_allowed": (
        "Семью этого человека видят классный руководитель его класса, администратор и директор."
    ),
    "family_none_own": (
        "Связанных с вами детей или родителей в боте нет. Если это ошибка, напишите классному "
        "руководителю."
    ),
    "family_no_role": "{name} не ученик и не родитель в школе: семейных связей нет.",
    "family_none": "{name}: связанных детей и родителей в боте нет.",
    "family_header_own": "Ваша семья в боте:",
    "family_header": "Семья: {name}",
    "family_children": "Дети:",
    "family_parents": "Родители:",
    "family_child_line": "• {child}, {class_name}",
    "family_child_unconfirmed_line": (
        "• {child}, {class_name} — не подтверждено: ребёнок ещё не зарегистрирован"
    ),
    "family_parent_line": "• {parent}",
    "family_remove_label": "Убрать связь: {name}",
    "family_add_hint": "Добавить связь: /family <родитель> + <ученик>.",
    "family_added": (
        "Готово: {parent} — родитель {child:ученика|ученицы} {child:gent} ({class_name})."
    ),
    "family_already": (
        "{parent} уже {parent:связан|связана} с {child:учеником|ученицей} {child:ablt}."
    ),
    "family_manage_not_allowed": (
        "Связи учеников {class_name} меняют классный руководитель этого класса и администратор."
    ),
    "family_not_student": "{child} не числится {child:учеником|ученицей} ни в одном классе.",
    "family_not_parent": (
        "{parent} не родитель в школе. Сначала пригласите родителя: /invite parent {class_name}."
    ),
    "family_same_person": "Родитель и ребёнок — один и тот же человек.",
    "family_link_gone": "Этой связи уже нет.",
    "family_removed": (
        "Связь убрана: {parent} больше не родитель {child:ученика|ученицы} {child:gent} в боте."
    ),
    "class_list_usage": "Укажите класс: /class 5А.",
    "class_list_not_allowed": (
        "Список {class_name} видят его классный руководитель, администратор и директор."
    ),
    "class_list_empty": "В {class_name} пока нет учеников.",
    "class_list_header": "{class_name}: ученики и их родители (всего {count:ученик}):",
    "class_list_line": "{number}. {name} — {parents}",
    "class_list_line_roster": "{number}. {name} (не зарегистрирован в боте) — {parents}",
    "class_list_no_parents": "родителей в боте нет",
    "class_list_unconfirmed": " (связь не подтверждена)",
    "roster_parents_column": "Родители",
    # Verification
    "verify_header": "Ждут подтверждения статуса «учитель» ({count}):",
    "verify_line": "• {name} ({profile}) — с {since}. /verify {vk_id}",
    "verify_empty": "Никто не ждёт подтверждения.",
    "verify_done": "Статус «учитель» подтверждён: {name}.",
    "verify_already": "{name} уже {name:подтверждён|подтверждена}.",
    "verify_not_teacher": "{name} не {name:входил|входила} в «Учительскую» по приглашению учителя.",
    "verify_you": (
        "Ваш статус «учитель» подтверждён. Теперь вам доступны команды учителя — /help."
    ),
    "unverified_refused": (
        "Ваш статус «учитель» ещё не подтверждён администратором, поэтому команда /{command} "
        "пока недоступна. Я сообщу, когда статус подтвердят."
    ),
    # Movement
    "move_usage": "Как перевести: /move <человек> <класс>, например /move @id123 6Б.",
    "move_not_student": "{name} не числится учеником ни в одном классе.",
    "move_same_class": "{name} уже в {class_name}.",
    "move_done": (
        "{name} {name:переведён|переведена} из {old} в {new}. Вместе с {name:ним|ней}: {parents}. "
        "Аннулировано приглашений: {annulled}."
    ),
    "move_you": "Вы переведены из {old} в {new}.",
    "move_parent_you": "Ваш ребёнок переведён из {old} в {new}.",
    "leave_usage": "Как отметить выбытие: /leave <человек>.",
    "leave_not_member": "{name} не состоит ни в одном классе и не имеет ролей.",
    "leave_ask_parents": (
        "У {name:ученика|ученицы} {name:gent} есть {parents:родитель|родитель|родители} в боте: "
        "{parents}. {parents:Он тоже выбывает|Она тоже выбывает|Они тоже выбывают}?"
    ),
    "leave_done": (
        "Выбытие отмечено: {names}. {names:Его|Её|Их} персональные данные будут удалены через "
        "{retention:accs}."
    ),
    "leave_you": (
        "Администратор отметил ваше выбытие из школы. Ваши данные будут удалены через "
        "{retention:accs}."
    ),
    # A parent of the departed student who stays with the school for another child.
    "leave_parents_stay": (
        "Остаются в школе как родители других детей, но выведены из класса выбывшего и его "
        "чатов: {names}."
    ),
    "leave_parent_stays_you": (
        "Отмечено выбытие: {name}. Класс, из которого выбыл ребёнок, и его чаты больше не ваши; "
        "вы остаётесь в школе как родитель других своих детей. Ваша семья — /family."
    ),
    # Issue 15 — readable records: the audit log in words, its filters and export
    # An action's sentence is "audit_action.<action>" (bot/render/audit.py fills {actor},
    # {subject}, {class_name} and the row's details by their keys); its short name, for the
    # export's «Действие» column, is "audit_title.<action>". A new audit action needs both:
    # tests/test_audit_wording.py fails for an action written anywhere without them.
    "audit_action.class_added": "{actor} {actor:добавил|добавила} класс {class}",
    "audit_title.class_added": "Добавлен класс",
    "audit_action.class_removed": "{actor} {actor:удалил|удалила} класс {class}",
    "audit_title.class_removed": "Удалён класс",
    "audit_action.class_teacher_set": (
        "{actor} {actor:назначил|назначила} {subject:accs} классным руководителем {class}{previous}"
    ),
    "audit_title.class_teacher_set": "Назначен классный руководитель",
    "audit_action.admin_added": "{actor} {actor:назначил|назначила} {subject:accs} администратором",
    "audit_title.admin_added": "Назначен администратор",
    "audit_action.admin_removed": (
        "{actor} {actor:снял|сняла} с {subject:gent} обязанности администратора"
    ),
    "audit_title.admin_removed": "Снят администратор",
    "audit_action.teacher_verified": (
        "{actor} {actor:подтвердил|подтвердила}, что {subject} — учитель школы"
    ),
    "audit_title.teacher_verified": "Подтверждён учитель",
    "audit_action.invitation_issued": (
        "{actor} {actor:выдал|выдала} приглашение №{invitation} ({role}, {class})"
    ),
    "audit_title.invitation_issued": "Выдано приглашение",
    "audit_action.invitation_redeemed": (
        "{subject} {subject:присоединился|присоединилась} по приглашению №{invitation} "
        "({role}, {class})"
    ),
    "audit_title.invitation_redeemed": "Присоединение по приглашению",
    "audit_action.invitations_annulled": (
        "{actor} {actor:аннулировал|аннулировала} {count:приглашение:accs}{reason}"
    ),
    "audit_title.invitations_annulled": "Аннулированы приглашения",
    "audit_reason.stale": " (невостребованные)",
    "audit_action.roster_imported": (
        "{actor} {actor:загрузил|загрузила} списки школы: {classes:класс}, {students:ученик}, "
        "{staff:сотрудник}"
    ),
    "audit_title.roster_imported": "Загружены списки",
    "audit_action.chat_bound": "{actor} {actor:привязал|привязала} беседу {chat} ({kind})",
    "audit_title.chat_bound": "Привязана беседа",
    "audit_action.chat_unbound": "{actor} {actor:отвязал|отвязала} беседу {chat}",
    "audit_title.chat_unbound": "Отвязана беседа",
    "audit_action.student_moved": (
        "{actor} {actor:перевёл|перевела} {subject:accs} из {from} в {to} (с родителями: {parents})"
    ),
    "audit_title.student_moved": "Перевод в другой класс",
    "audit_action.teaching_set": (
        "{actor} {actor:отметил|отметила}, что {subject} ведёт уроки в {classes}{lesson}"
    ),
    "audit_title.teaching_set": "Учителю назначены классы",
    "audit_action.teaching_removed": (
        "{actor} {actor:отметил|отметила}, что {subject} больше не ведёт уроки в {classes}"
    ),
    "audit_title.teaching_removed": "Учителю сняты классы",
    "audit_action.family_linked": "{actor} {actor:связал|связала} родителя {subject:accs} {child}",
    "audit_title.family_linked": "Родитель связан с ребёнком",
    "audit_action.family_unlinked": (
        "{actor} {actor:убрал|убрала} связь родителя {subject:gent} {child}"
    ),
    "audit_title.family_unlinked": "Связь родителя с ребёнком убрана",
    "audit_child": "с {child:ablt}",
    "audit_child_unknown": "с ребёнком, чьи данные удалены",
    "audit_child_unregistered": "с ребёнком, не зарегистрированным в боте",
    "audit_action.person_left": (
        "{actor} {actor:отметил|отметила} выбытие {subject:gent}{with_parents}"
    ),
    "audit_title.person_left": "Выбытие",
    "audit_with_parents": " вместе с родителями",
    "audit_action.departed_data_deleted": (
        "Персональные данные выбывшего удалены: срок их хранения истёк"
    ),
    "audit_title.departed_data_deleted": "Удалены данные выбывшего",
    "audit_action.consent_given": (
        "{subject} {subject:дал|дала} согласие на обработку персональных данных"
    ),
    "audit_title.consent_given": "Согласие дано",
    "audit_action.consent_withdrawn": (
        "{subject} {subject:отозвал|отозвала} согласие, и {subject:его|её} данные удалены"
    ),
    "audit_title.consent_withdrawn": "Согласие отозвано",
    "audit_action.account_linked": "{subject} {subject:связал|связала} с ботом аккаунт {where}",
    "audit_title.account_linked": "Связан аккаунт",
    "audit_action.event_planned": "{actor} {actor:запланировал|запланировала} событие №{event}{title}",
    "audit_title.event_planned": "Запланировано событие",
    "audit_action.event_cancelled": "{actor} {actor:отменил|отменила} событие №{event}{title}",
    "audit_title.event_cancelled": "Отменено событие",
    "audit_action.proposal_made": (
        "{actor} {actor:предложил|предложила} материал №{proposal} к публикации"
    ),
    "audit_title.proposal_made": "Предложен материал",
    "audit_action.proposal_published": (
        "{actor} {actor:опубликовал|опубликовала} материал №{proposal}"
    ),
    "audit_title.proposal_published": "Опубликован материал",
    "audit_action.proposal_declined": "{actor} {actor:отклонил|отклонила} материал №{proposal}",
    "audit_title.proposal_declined": "Отклонён материал",
    "audit_action.request_submitted": "{actor} {actor:подал|подала} заявку №{request} ({role})",
    "audit_title.request_submitted": "Подана заявка",
    "audit_action.request_approved": (
        "{actor} {actor:принял|приняла} заявку №{request} от {subject:gent}"
    ),
    "audit_title.request_approved": "Заявка принята",
    "audit_action.request_rejected": (
        "{actor} {actor:отклонил|отклонила} заявку №{request} от {subject:gent}"
    ),
    "audit_title.request_rejected": "Заявка отклонена",
    # An action the table above does not know yet: still read as words, with its code.
    "audit_action_unknown": "{actor}: действие «{action}»{subject}{details}",
    "audit_unknown_subject": ", кого: {subject}",
    "audit_deleted_person": "удалённый пользователь",
    "audit_unnamed_person": "пользователь без имени",
    "audit_previous": " вместо {previous:gent}",
    "audit_chat": "«{title}»",
    "audit_chat_gone": "(беседа удалена)",
    "audit_chat_untitled": "без названия",
    "audit_line": "{when} — {sentence}",
    "audit_header": "Журнал действий{filters}: {count:запись}.",
    "audit_header_empty": "Журнал действий{filters}: записей нет.",
    "audit_filter_since": "с {since}",
    "audit_filter_until": "по {until}",
    "audit_filter_day": "за {day}",
    "audit_usage": (
        "Фильтры журнала в любом порядке: человек, класс, дата или период. Например: "
        "/audit 5А неделя, /audit Белов 12.11–20.11, /audit сегодня."
    ),
    "audit_date_invalid": (
        "Не понял дату «{text}». Пишите так: 12.11, 12.11.2026, 12.11–20.11, сегодня, вчера, "
        "неделя или месяц."
    ),
    "audit_period_reversed": "Период «{text}» кончается раньше, чем начинается.",
    "audit_export_caption": "Журнал действий{filters}: {count:запись}.",
    "audit_export_capped": (
        "Журнал действий{filters}: {count:запись}; в файле — последние {shown}. Сузьте "
        "фильтры (человек, класс, период), чтобы выгрузить остальные."
    ),
    "audit_export_empty": "Журнал действий{filters}: записей нет, выгружать нечего.",
    "audit_col_when": "Когда",
    "audit_col_who": "Кто",
    "audit_col_action": "Действие",
    "audit_col_whom": "Кого",
    "audit_col_class": "Класс",
    "audit_col_details": "Подробности",
    "audit_sheet": "Журнал",
    # /stats against the roster: the students the imported roster lists, the families (a
    # student with a parent linked), the class chats every class must have.
    "stats_classes_header": "По классам:",
    "stats_class_roster": (
        "{name}: учеников {students} из {expected} по списку, родителей (семей) {families} из "
        "{expected}, чаты: {chats} из {required}"
    ),
    "stats_class_no_roster": (
        "{name}: учеников {students} (список не загружен), семей с родителями в боте: "
        "{families}, чаты: {chats} из {required}"
    ),
    "stats_total_roster": (
        "Всего по школе: учеников {students} из {expected} по списку, родителей (семей) "
        "{families} из {expected}."
    ),
    "stats_total_no_roster": (
        "Всего по школе: учеников {students}, семей с родителями в боте: {families}. Списки "
        "не загружены — сравнить не с чем (отправьте файл списков, шаблон: /template)."
    ),
    "stats_roster_missing": "Списки не загружены для: {names} — эти классы не вошли в итог.",
    # Group chats and the chat register
    "chat_greeting": (
        "Здравствуйте! Я помощник {school:gent}. Чтобы давать ссылки-приглашения в эту беседу и "
        "удалять из неё выбывших, мне нужны права администратора беседы: откройте настройки "
        "беседы → «Участники» → бот → «Назначить администратором».\n\n"
        "Затем создатель беседы указывает, для чего она, например: /bind parents 5А "
        "(родители 5А), /bind students 5А (ученики), /bind teachers 5А (учителя класса). "
        "Отправьте /bind без слов — я предложу варианты кнопками."
    ),
    "bind_choose": "Для чего эта беседа? Выберите кнопкой.",
    "bind_nothing_to_offer": (
        "Вам пока нечего привязывать кнопками. Привязать предметный чат: /bind subject "
        "<предмет> <класс>; иной чат: /bind other <название>."
    ),
    "bind_usage": (
        "Как привязать: /bind students 5А, /bind parents 5А, /bind teachers 5А, "
        "/bind subject Математика 5А, /bind management deputies|teachers|parents_council|"
        "students_council, /bind channel school|staff, /bind other <название>."
    ),
    "bind_done": "Беседа привязана: {what}.",
    "bind_admin_ok": "Я администратор беседы: ссылка-приглашение — {link}",
    "bind_admin_missing": (
        "Я не администратор этой беседы, поэтому не могу выдавать ссылку и удалять выбывших. "
        "Назначьте меня администратором и отправьте /relink."
    ),
    "bind_not_allowed": "Привязать беседу как «{what}» вы не можете: {why}",
    "bind_why_class": "это делает классный руководитель этого класса.",
    "bind_why_management": "управленческие чаты привязывает руководитель школы.",
    "bind_why_channel": "системные каналы ведёт администратор.",
    "bind_why_teacher": "предметные и иные чаты привязывают учителя.",
    "bind_not_creator": "Привязать беседу может только её создатель или тот, кто добавил бота.",
    "bind_taken": "Для «{what}» уже привязана другая беседа. Сначала отвяжите её (/unbind там).",
    "unbind_done": "Беседа отвязана: {what}.",
    "unbind_nothing": "Эта беседа ни к чему не привязана.",
    "unbind_not_allowed": "Отвязать беседу может тот, кто её привязал, или администратор.",
    "relink_not_allowed": (
        "Выпустить новую ссылку для этой беседы может тот, кто её привязал, или администратор."
    ),
    "relink_done": "Старая ссылка отозвана. Новая ссылка-приглашение: {link}",
    "relink_failed": (
        "Не получилось выпустить новую ссылку: я не администратор беседы. Назначьте меня "
        "администратором и повторите /relink."
    ),
    "chat_what_students": "ученики {class_name}",
    "chat_what_parents": "родители {class_name}",
    "chat_what_teachers": "учителя {class_name}",
    "chat_what_subject": "предмет «{sub}» в {class_name}",
    "chat_what_subject_noclass": "предмет «{sub}»",
    "chat_what_management_deputies": "руководитель и заместители",
    "chat_what_management_teachers": "руководитель и педагоги",
    "chat_what_management_parents_council": "руководитель и родительский актив",
    "chat_what_management_students_council": "руководитель и ученический актив",
    "chat_what_channel_school": "общешкольный канал",
    "chat_what_channel_staff": "канал «Сотрудники»",
    "chat_what_other": "«{sub}»",
    "chats_class_header": "{class_name}:",
    "chats_line_ok": "✅ {what}: {link}",
    "chats_line_no_admin": "⚠ {what}: привязан, но я не администратор — ссылки нет",
    "chats_line_missing": "❌ {what}: не создан или не привязан",
    "chats_subject_header": "Ваши предметные чаты:",
    "chats_subject_none": (
        "Предметных чатов пока нет. Создайте чат и отправьте в нём /bind subject <предмет> <класс>."
    ),
    "chats_management_header": "Управленческие чаты (п. 2.2):",
    "chats_admin_header": "Обязательные чаты классов (ученики / родители / учителя):",
    "chats_admin_line": "{class_name}: {students} / {parents} / {teachers}",
    "chats_channels_header": "Системные каналы:",
    "chats_yours_header": "Чаты, в которых вам нужно быть:",
    "chats_yours_none": "Для вас пока нет ссылок на чаты: классный руководитель добавит вас.",
    "chats_nothing": "Чатов, которые касаются вас, пока нет.",
    "chats_mismatch_header": "Сверка участников «{what}»:",
    "chats_mismatch_missing": "Нет в чате, хотя должны быть: {names}",
    "chats_mismatch_extra": "В чате, но не из класса: {names}",
    "chats_mismatch_ok": "Состав совпадает с реестром.",
    "chats_mismatch_unchecked": "Сверить нельзя: я не администратор этой беседы.",
    "chat_link_student": "Чат класса: {link}",
    "chat_link_parent": "Чат родителей класса: {link}",
    "decision_not_allowed_class": (
        "Состав чатов {class_name} видят классный руководитель и администратор."
    ),
    "chats_removed": "Удаление из бесед выполнено: {titles}.",
    "chats_not_removed": (
        "Не смог удалить из бесед (нет прав администратора): {titles} — удалите вручную."
    ),
    # Duties
    "duties_header": "Ваши обязанности по Положению об использовании «Сферума»:",
    "duties_role": "\n{role} — выполнено {done} из {total}:",
    "duties_item": "{mark} {number}. {title} (п. {clause}){optional}",
    "duties_item_class": "{mark} {number}. {title}: {class_name} (п. {clause}){optional}",
    "duties_optional": ", при необходимости",
    "duties_weekly": " — каждую неделю",
    "duties_next": "\nСледующий шаг — {number}. {title}:\n{how_to}",
    "duties_next_manual": "\nКогда сделаете, отметьте: /done {number}",
    "duties_all_done": "\nВсё выполнено. Спасибо!",
    "duties_none": (
        "У вас пока нет обязанностей по Положению: сначала войдите в школу по приглашению."
    ),
    "duties_figures": (
        "\nПоказатели школы: классов {classes}, с классным руководителем {with_teacher}; "
        "обязательных чатов привязано {bound} из {required}; заявок ждёт {requests}; "
        "учителей ждут подтверждения {waiting}; невостребованных приглашений {stale}."
    ),
    "duties_rights": "\nВаши права (раздел 3):",
    "duties_right": "• {title} (п. {clause})",
    "done_marked": "Отмечено: {title}.",
    "done_unmarked": "Отметка снята: {title}.",
    "done_not_found": "Пункта {number} в вашем списке нет. Список — /duties.",
    "done_not_manual": (
        "Пункт «{title}» отмечается сам, когда я вижу, что это сделано. Как это сделать — /duties."
    ),
    "done_usage": "Укажите номер пункта из /duties, например: /done 3",
    # Guidance
    "registration_ask_order": (
        "Соберём заявку на регистрацию школы в «Сферуме» (п. 2.1). Напишите номер и дату "
        "приказа о назначении администратора, например: 317 от 14.10.2024"
    ),
    "registration_order_invalid": "Напишите номер и дату приказа, например: 317 от 14.10.2024",
    "registration_ask_name": "Фамилия, имя и отчество администратора:",
    "registration_ask_contacts": (
        "Электронная почта и номер мобильного телефона администратора через пробел, например: "
        "admin@school44.ru +79001234567. Я не сохраняю их: они нужны только для текста заявки."
    ),
    "registration_contacts_invalid": (
        "Не получилось разобрать почту и телефон. Пример: admin@school44.ru +79001234567"
    ),
    "registration_letter": (
        "Готово. Отправьте письмо со своей почты.\n\n"
        "Кому: info@sferum.ru\n"
        "Тема: Заявка на регистрацию образовательной организации — {school}\n\n"
        "Здравствуйте!\n\n"
        "Просим зарегистрировать {school:accs} на информационно-коммуникационной образовательной "
        "платформе «Сферум».\n"
        "Администратор платформы назначен приказом № {order_number} от {order_date}: "
        "{admin_name}.\n"
        "Контактные данные администратора: электронная почта {email}, мобильный телефон "
        "{phone}.\n"
        "Копия приказа о назначении администратора приложена к письму.\n\n"
        "С уважением,\n{admin_name}\n\n"
        "Не забудьте приложить скан приказа. После ответа поддержки зарегистрируйтесь на "
        "sferum.ru по указанному номеру телефона."
    ),
    "security": (
        "Как защитить учебный профиль (п. 2.5):\n"
        "1) Включите двухэтапную проверку: VK Мессенджер → Настройки → Безопасность → "
        "«Двухэтапная проверка».\n"
        "2) Никому не сообщайте коды из СМС и из приложения, даже «учителю» или «поддержке»: "
        "настоящая поддержка их не спрашивает.\n"
        "3) Не переходите по ссылкам от незнакомых и не вводите пароль на чужих сайтах.\n"
        "4) Если профиль взломали или пишут подозрительные люди — сразу скажите классному "
        "руководителю или родителям и напишите в поддержку: {email}.\n"
        "Инструкции: {site}"
    ),
    "security.max": (
        "Как защитить учебный профиль (п. 2.5):\n"
        "1) Включите двухэтапную проверку в настройках безопасности MAX: кроме кода из СМС "
        "вход будет требовать ваш пароль.\n"
        "2) Никому не сообщайте коды из СМС и из приложения, даже «учителю» или «поддержке»: "
        "настоящая поддержка их не спрашивает.\n"
        "3) Не переходите по ссылкам от незнакомых и не вводите пароль на чужих сайтах.\n"
        "4) Если профиль взломали или пишут подозрительные люди — сразу скажите классному "
        "руководителю или родителям и напишите в поддержку: {email}.\n"
        "Инструкции: {site}"
    ),
    "webinars": (
        "Семинары и вебинары для педагогов о работе в «Сферуме» (п. 3.4):\n"
        "• Расписание и записи — на {site} в разделе для педагогов.\n"
        "• Анонсы публикует администратор школы в канале «Сотрудники».\n"
        "• Вопросы по функциям платформы — в поддержку: {email}."
    ),
    # The digest
    "digest_header": "Сводка на {date}:",
    "digest_empty": "Сводка на {date}: ничего не ждёт вашего решения.",
    "digest_requests": "• Ждут решения: {requests:заявка}; самая старая — {age}. По классам: {by_class}.",
    "digest_request_line": "   №{id} {role}, {class_name}: {name} — {age}",
    "digest_waiting_teachers": "• Ждут подтверждения статуса «учитель»: {names}. /verify",
    "digest_stale": "• Невостребованные приглашения: {count}.",
    "digest_expired": "• Истекли со времени прошлой сводки: {count}.",
    "digest_no_class_teacher": "• Без классного руководителя: {classes}.",
    "digest_missing_chats": "• Нет обязательных чатов: {items}.",
    "digest_missing_item": "{class_name} ({kinds})",
    "digest_no_admin": "• Я потерял права администратора в беседах: {chats}.",
    "digest_newcomers": "• Новых участников со времени прошлой сводки: {count}.",
    "kind_students": "ученики",
    "kind_parents": "родители",
    "kind_teachers": "учителя",
    # Reminders
    "reminder_request": "Напоминание: заявка №{id} ({role}, {class_name}: {name}) ждёт решения {age:accs}.",
    "escalation_request": (
        "Заявка №{id} ({role}, {class_name}: {name}) ждёт решения уже {age:accs}. Она у {desk}; "
        "решите её сами или напомните."
    ),
    "escalation_desk_admins": "администраторов",
    "escalation_desk_teacher": "классного руководителя {name:gent}",
    # Events
    "event_ask_title": "Как называется трансляция или встреча? Например: Родительское собрание 5А.",
    "event_title_invalid": "Название — от 3 до 120 символов.",
    "event_ask_when": "Когда? Например: 28.11 15:30, завтра 9:00 или пн 10:00 (время школы).",
    "event_when_invalid": "Не понял время. Примеры: 28.11 15:30, завтра 9:00, пн 10:00.",
    "event_when_past": "Это время уже прошло. Укажите будущее.",
    "event_ask_audience": "Кому сообщить?",
    "event_ask_class": "Какой класс?",
    "event_ask_chat": "В какую беседу?",
    "event_no_chats": "Привязанных бесед нет. Выберите другую аудиторию.",
    "event_ask_link": "Ссылка на трансляцию или встречу (или нажмите «Без ссылки»):",
    "event_link_invalid": "Ссылка должна начинаться с https://",
    "event_not_allowed": "Вы можете сообщать о событиях только ученикам и родителям своих классов.",
    "event_created": "Событие №{id} запланировано на {when}. Сообщено: {count}. Напомню за {before:accs}.",
    "event_created_soon": (
        "Событие №{id} запланировано на {when}. Сообщено: {count}. Оно начнётся совсем скоро,"
        " поэтому отдельного напоминания не будет."
    ),
    "event_announce": "📅 {title}\nКогда: {when}{link}",
    "event_link_line": "\nСсылка: {link}",
    "event_reminder": "⏰ Через {before:accs} начнётся: {title}{link}",
    "event_cancelled": "❌ Отменено: {title} ({when}).",
    "events_header": "Предстоящие события:",
    "events_line": "№{id} {when} — {title} ({audience})",
    "events_empty": "Предстоящих событий нет. Запланировать: /event",
    "event_cancel_done": "Событие №{id} отменено, участники предупреждены.",
    "event_cancel_not_found": "Событие №{id} не найдено или уже отменено (или его планировали не вы).",
    "event_cancel_started": "Событие №{id} уже началось или прошло: отменять его поздно.",
    "event_cancel_usage": "Укажите номер события: /event_cancel 3. Список — /events.",
    "audience_school": "вся школа",
    "audience_staff": "сотрудники",
    "audience_students": "ученики {class_name}",
    "audience_parents": "родители {class_name}",
    "audience_chat": "беседа",
    # Issue 15 — subject teachers' reach, everyone's view of events, meetings people answer
    "classes_and": "{first} и {last}",
    "signed_class_teacher": "{name:gent}, классного руководителя {classes}",
    "signed_role_for": "{name:gent}, {role:gent}, для {classes}",
    "signed_role": "{name:gent}, {role:gent}",
    "signed_name": "{name:gent}",
    "announce_signed": "Объявление от {sender}\n\n{text}",
    "event_from": "\nОт {sender}",
    "event_evening_reminder": "🔔 Завтра: {title}\nКогда: {when}{link}",
    "events_line_from": "\n   от {sender}",
    "audience_class": "ученики и родители {class_name}",
    "audience_class_all": "все ученики и родители",
    "announce_usage_class": (
        " Ученикам и родителям класса вместе: class 5А; нескольким классам: parents 5А 5Б."
    ),
    "events_empty_for_you": "Предстоящих событий для вас нет.",
    "announce_not_allowed_teacher": (
        "Вы можете делать объявления только ученикам и родителям классов, где ведёте уроки"
        " или классное руководство: {classes}."
    ),
    "announce_no_classes": (
        "Объявления учитель делает для классов, где ведёт уроки, а за вами пока нет ни"
        " одного класса. Попросите администратора: /teaches <вы> 5А 5Б [предмет]"
        " — или привяжите предметную беседу класса: /bind subject <предмет> 5А."
    ),
    "event_no_classes": (
        "События учитель планирует для классов, где ведёт уроки, а за вами пока нет ни"
        " одного класса. Попросите администратора: /teaches <вы> 5А 5Б [предмет]"
        " — или привяжите предметную беседу класса: /bind subject <предмет> 5А."
    ),
    "event_meeting_hint": "\nПожалуйста, ответьте, придёте ли: кнопки ниже.",
    "event_answers_line": "\n   Придут: {coming}, не придут: {not_coming}, не ответили: {silent}.",
    "event_rsvp_coming": "Записал: вы придёте. Передумаете — нажмите другую кнопку.",
    "event_rsvp_not_coming": "Записал: вы не придёте. Передумаете — нажмите другую кнопку.",
    "event_rsvp_closed": "Эта встреча уже прошла или отменена.",
    "event_rsvp_not_found": "Этой встречи больше нет.",
    "event_rsvp_not_invited": "Эта встреча не для вас: её объявили другому классу.",
    "event_answers_header": "Встреча №{id} «{title}», {when}: придут {coming}, не придут {not_coming}, не ответили {silent}.",
    "event_answers_coming": "Придут:",
    "event_answers_not_coming": "Не придут:",
    "event_answers_silent": "Не ответили:",
    "event_answers_nobody": "— никого",
    "event_answers_not_allowed": "Ответы на встречу видят её организатор, классный руководитель и администрация.",
    "events_usage_detail": "Номер события — после команды: /events 3.",
    "event_not_found": "Событие №{id} не найдено.",
    "teaches_usage": (
        "Как назначить учителя-предметника классам: /teaches <учитель> 5А 5Б [предмет]."
        " Пример: /teaches Орлов 5А 5Б математика. Снять: /teaches_remove <учитель> [5А]."
    ),
    "teaches_remove_usage": (
        "Как снять учителя с классов: /teaches_remove <учитель> 5А 5Б (без классов — со всех)."
    ),
    "teaches_not_teacher": "{name} не учитель. Сначала пригласите его или её как учителя: /invite teacher.",
    "teaches_done": "{name:nomn} теперь ведёт уроки в {classes}{subject}. Объявления и события для этих классов {name:ему|ей} доступны.",
    "teaches_subject": " ({subject})",
    "teaches_removed": "{name:nomn} больше не ведёт уроки в {classes}.",
    "teaches_nothing": "За {name:ablt} не числится таких классов.",
    "teaches_list": "{name:nomn} ведёт уроки в: {classes}.",
    "teaches_list_none": "За {name:ablt} не числится ни одного класса.",
    "chats_teaching_line": "Вы ведёте уроки в: {classes}.",
    "chats_teaching_none": "Классы, где вы ведёте уроки, пока не указаны: их указывает администратор (/teaches) или привязка предметной беседы (/bind subject).",
    "teaching_class": "{class_name}{subject}",
    # Statistics
    "stats_header": "Статистика использования «Сферума» на {date}:",
    "stats_people": "Участники: {roles}.",
    "stats_role_item": "{role} — {count}",
    "stats_chats": "Обязательные чаты классов: привязано {bound} из {required}.",
    "stats_requests": "Заявок рассмотрено за неделю: {count}; медианное время решения — {median}.",
    "stats_no_median": "нет данных",
    "stats_invitations": (
        "Приглашения за неделю: выдано {w_issued}, использовано {w_used}, аннулировано "
        "{w_annulled}; всего: {issued} / {used} / {annulled}."
    ),
    "stats_admin_duties": "Обязанности администратора: выполнено {done} из {total}.",
    "report_header": "Еженедельный отчёт для администрации (п. 2.1).",
    "chart_title": "Присоединились и ожидаются по классам",
    "chart_joined": "Присоединились",
    "chart_expected": "Ожидается",
    # Announcements and channels
    "announce_usage": (
        "Как сделать объявление: /announce <кому> <текст>. Кому: parents [класс], "
        "students [класс], teachers, staff, all. Пример: /announce parents 5А Собрание в четверг."
    ),
    "announce_not_allowed": "Вы можете делать объявления только ученикам и родителям своих классов.",
    "announce_empty_text": "Напишите текст объявления после адресатов.",
    "announce_preview": (
        "Предпросмотр. Кому: {audience}. Получат: {reach:человек}; не могут получать сообщения от бота: "
        "{blocked}.\n\n{text}\n\nОтправить?"
    ),
    "announce_nobody": "Некому отправлять: в этой аудитории пока никого нет.",
    "announce_queued": "Отправляю. Пришлю отчёт о доставке.",
    "announce_report": (
        "Отчёт о доставке: отправлено {sent}, не могут получать сообщения {blocked}, ошибки {failed}."
    ),
    "announce_report_failures": "Не доставлено по причинам: {reasons}.",
    "broadcast_progress": "Рассылка идёт: отправлено {sent} из {total}.",
    "delivery_failure": "{reason}: {count:получатель}",
    "delivery_error_0": "сбой при отправке",
    "delivery_error_7": "нет прав на отправку",
    "delivery_error_914": "сообщение слишком длинное",
    "delivery_error_917": "бот не состоит в беседе",
    "delivery_error_925": "бот не администратор беседы",
    "delivery_error_932": "сообществу нельзя писать этому адресату",
    "delivery_error_935": "адресата нет в беседе",
    "delivery_error_945": "беседа отключена",
    "delivery_error_other": "ошибка мессенджера № {code}",
    "audience_all": "вся школа",
    "audience_teachers": "учителя",
    "audience_parents_all": "все родители",
    "audience_students_all": "все ученики",
    "post_usage": "Как опубликовать: /post school <текст> или /post staff <текст>.",
    "post_not_allowed": "Общешкольный канал ведёт администратор; руководитель публикует в канал «Сотрудники».",
    "post_no_channel": "{channel} ещё не привязан: добавьте бота в канал и отправьте там /bind channel {code}.",
    "post_preview": "Предпросмотр публикации в {channel:loct}:\n\n{text}\n\nОпубликовать?",
    "channel_school": "общешкольный канал",
    "channel_staff": "канал «Сотрудники»",
    "propose_usage": "Как передать материал администратору: /propose <текст>.",
    "propose_sent": "Материал №{id} передан администраторам для публикации.",
    "propose_for_admin": "Руководитель передал материал №{id} для публикации:\n\n{text}",
    "propose_published": "Материал №{id} опубликован в {channel:loct}.",
    "propose_declined": "Материал №{id} отклонён.",
    "propose_already": "Материал №{id} уже рассмотрен.",
    "propose_author_published": "Ваш материал №{id} опубликован в {channel:loct}.",
    "propose_author_declined": "Администратор не стал публиковать материал №{id}.",
    "unreachable_in_class": "Не могут получать сообщения от бота (попросите лично написать боту «Начать»): {names}",
    # Roster import and export
    "roster_too_big": "Файл больше 5 МБ. Разбейте его на части или удалите лишние листы.",
    "roster_download_failed": "Не получилось скачать файл. Отправьте его ещё раз.",
    "roster_reading": "Файл получен, проверяю. Большой файл читается до минуты.",
    "roster_progress": "Всё ещё проверяю файл: прочитано строк — {rows}.",
    "roster_problems": "Файл не применён: найдено ошибок — {count}. Исправьте и отправьте снова.\n{lines}",
    "roster_problem_more": "…и ещё {count}.",
    "roster_where": "Лист «{sheet}», строка {row}, столбец «{column}»: ",
    "roster_where_row": "Лист «{sheet}», строка {row}: ",
    "roster_where_sheet": "Лист «{sheet}»: ",
    "roster_problem_missing_sheet_columns": "нет столбца «{column}»",
    "roster_problem_empty_required": "пустая обязательная ячейка",
    "roster_problem_class_invalid": "«{value}» — не название класса (номер 1–11 и русская буква)",
    "roster_problem_class_unknown": "класса {value} нет ни в школе, ни на листе «Классы»",
    "roster_problem_name_invalid": "«{value}» — не ФИО (2–4 слова русскими буквами)",
    "roster_problem_role_unknown": "роль «{value}» не знаю (учитель, классный руководитель, администратор, директор, заместитель)",
    "roster_problem_duplicate": "повтор: то же, что {value}",
    "roster_problem_classes_led_missing": "у классного руководителя не указан класс",
    "roster_problem_too_many_rows": "больше 20 000 строк — файл слишком большой",
    "roster_problem_too_big": "файл больше 5 МБ",
    "roster_problem_not_a_table": "это не таблица XLSX или CSV",
    "roster_problem_no_sheets": "нет листов «Классы», «Сотрудники», «Ученики» (есть: {value})",
    "roster_problem_too_many_cells": "больше 1 000 000 ячеек — удалите лишние столбцы и листы или разбейте файл на части",
    "roster_problem_too_slow": "файл не удалось прочитать за минуту — разбейте его на части или удалите лишние листы",
    "roster_preview": (
        "Файл проверен, ошибок нет. Будет:\n"
        "• классов добавлено: {classes}\n"
        "• учеников добавлено: {students_add}, переведено: {students_moved}, без изменений: {students_same}\n"
        "• сотрудников добавлено: {staff_add}, изменено: {staff_changed}, без изменений: {staff_same}\n\n"
        "Применить? Всё применится разом или ничего."
    ),
    "roster_applied": "Готово: списки применены ({students:ученик}, {staff:сотрудник}, {classes:класс} в файле).",
    "roster_already_applied": "Этот файл уже применён или устарел. Отправьте файл снова.",
    "roster_template_caption": "Шаблон для загрузки списков. Заполните и отправьте мне файлом.",
    "roster_export_caption": "Списки школы на {date}.",
    "roster_file_failed": "Не получилось отправить файл. Попробуйте ещё раз чуть позже.",
    "status_joined": "{name:присоединился|присоединилась}",
    "status_requested": "{name:подал|подала} заявку",
    "status_not_yet": "ещё нет",
    # Issue 15 — questions to the class teacher
    "ask_compose": (
        "Напишите вопрос классному руководителю {class_name} — {teacher:datv}: текстом, фото "
        "или файлом (например, справку), можно в несколько сообщений. Когда всё готово, "
        "нажмите «Отправить»."
    ),
    "ask_offer_file": (
        "Отправить это классному руководителю {class_name} — {teacher:datv}? Можно добавить "
        "текст (например, что это за документ) и нажать «Отправить»."
    ),
    "ask_pick_class": "Кому написать? Выберите класс:",
    "ask_pick_class_file": "Отправить это классному руководителю? Выберите класс:",
    "ask_class_label": "{class_name}",
    "ask_class_label_child": "{class_name}, {children}",
    "ask_no_teacher": (
        "У класса {class_name} пока нет классного руководителя, поэтому вопрос передать "
        "некому. Напишите администратору школы — контакты в /support."
    ),
    "ask_self": "Вы сами классный руководитель {class_name}: вопрос самому себе не отправить.",
    "ask_no_class": (
        "Написать классному руководителю можно, когда вы в классе как родитель или ученик. "
        "Вступить в класс — по приглашению или заявкой: /request."
    ),
    "ask_added": "Добавлено. В сообщении: {parts}. Добавьте ещё или нажмите «Отправить».",
    "ask_part_text": "текст",
    "ask_part_files": "{count:файл}",
    "ask_nothing": "Сначала напишите текст или пришлите фото или файл.",
    "ask_unsupported": "Это я передать не могу: в вопрос идут текст, фото и файлы.",
    "ask_too_long": "Слишком длинный текст: в одном сообщении — до {limit} знаков. Разбейте его.",
    "ask_too_many_files": "В одном сообщении — не больше {limit:файл:gent}; лишние я не добавил.",
    "ask_file_too_big": "Файл «{name}» больше {megabytes} МБ — его я передать не смогу.",
    "ask_file_failed": "Файл «{name}» не удалось получить. Пришлите его ещё раз.",
    "ask_files_lost": "Не удалось передать:\n{names}",
    "ask_dropped": "Хорошо, ничего не отправлено.",
    "ask_sent": (
        "Вопрос №{id} отправлен классному руководителю {class_name} — {teacher:datv}. "
        "Ответ придёт сюда. Ваши открытые вопросы — /questions."
    ),
    "question_sent": "Отправлено в вопрос №{id}: {to:datv}.",
    "question_about_parent": "{class_name}, {asker:папа|мама} {children:gent}",
    "question_about_student": "{class_name}, {asker:ученик|ученица}",
    "question_about_class": "{class_name}",
    "question_new": "❓ Вопрос №{id} от {asker:gent} ({about}):",
    "question_more": "❓ Вопрос №{id}: ещё сообщение от {asker:gent} ({about}):",
    "question_answer": "💬 Ответ на вопрос №{id} от классного руководителя {class_name} — {teacher:gent}:",
    "question_only_files": "(без текста, только {count:файл})",
    "question_reply_prompt": (
        "Напишите сообщение в вопрос №{id} для {to:gent}: текстом, фото или файлом. Когда всё "
        "готово, нажмите «Отправить»."
    ),
    "question_closed_already": "Вопрос №{id} уже закрыт.",
    "question_not_yours": "Этот вопрос вам недоступен.",
    "question_closed": "Вопрос №{id} закрыт.",
    "question_closed_by": "Вопрос №{id} закрыт: его {by:закрыл|закрыла} {by}.",
    "questions_header": "Открытые вопросы ({count}):",
    "questions_line_teacher": "• №{id}, {asker} ({about}), {date}, {state}: «{text}»",
    "questions_line_asker": "• №{id} классному руководителю {class_name}, {date}, {state}: «{text}»",
    "questions_waiting": "ждёт ответа",
    "questions_answered": "есть ответ",
    "questions_none": "Открытых вопросов нет. Написать классному руководителю — /ask.",
    "questions_reply_label": "Ответить на №{id}",
    "questions_digest": "Доброе утро! Вопросы родителей и учеников без ответа ({count}):",
    "questions_digest_line": "• №{id}, {asker} ({about}), ждёт {age:accs}: «{text}»",
    "questions_escalation": (
        "⚠️ Вопрос №{id} от {asker:gent} ({about}) классному руководителю {teacher:datv} "
        "остаётся без ответа {age:accs}: «{text}»"
    ),
    "questions_escalation_nobody": (
        "⚠️ Вопрос №{id} от {asker:gent} ({about}) остаётся без ответа {age:accs}: у класса "
        "{class_name} нет классного руководителя. «{text}»"
    ),
    "files_no_class": (
        "Файлы я передаю классному руководителю — от родителей и учеников класса (/ask). "
        "Чтобы писать ему, вступите в класс по приглашению или заявкой: /request."
    ),
    "files_staff": (
        "Файлы я передаю только в вопросах: родители и ученики пишут классному руководителю "
        "(/ask), а классный руководитель отвечает кнопкой «Ответить» под вопросом. Списки "
        "школы (XLSX или CSV) принимаю от администратора."
    ),
    "files_elsewhere": (
        "Этот файл я никуда не отправил. Файлы я передаю классному руководителю в вопросах "
        "(/ask) и принимаю от администратора списки школы (XLSX или CSV)."
    ),
    # Refusals and fallbacks
    "nobody": "никто",
    "unknown_command": "Не знаю команды «{command}». Список команд — /help.",
    "unknown_text": "Я не понял сообщение. Список команд — /help.",
    "no_text": "Я понимаю только текстовые команды и кнопки. Список команд — /help.",
    "too_long": "Сообщение слишком длинное. Напишите короче или воспользуйтесь /help.",
    "role_refused": "Команда /{command} доступна только {roles:datv}.",
    "private_only": "Эта команда работает только в личных сообщениях с ботом.",
    "chat_only": "Эта команда работает только в беседе.",
    "stale_button": "Эта кнопка больше не действует.",
    "flood_slow_down": "Пожалуйста, не так часто: я отвечу на новые сообщения через полминуты.",
    "error_apology": "Извините, что-то пошло не так. Попробуйте ещё раз чуть позже.",
    # A school moving from VK to MAX: linking accounts, where messages go, the figures.
    "link_give": (
        "Откройте эту ссылку {where} — бот свяжет ваш аккаунт там с этим, роли, согласие "
        "и история сохранятся. Ссылка действует {minutes:минута:accs} и только один раз:\n{link}"
    ),
    "link_off": "Бот школы пока не работает {where}.",
    "link_here": (
        "Вы уже пишете боту {where}. Чтобы связать с ним аккаунт {other}, отправьте здесь "
        "/{other_command}."
    ),
    "link_already": (
        "Ваш аккаунт {where} уже связан с ботом. Сообщения бота приходят {reached}; "
        "выбрать, где их получать, — /messenger."
    ),
    "link_done": (
        "Аккаунты связаны: ВКонтакте и MAX. Ваши роли, согласие и история сохранены. "
        "Сообщения бота будут приходить {reached}; выбрать другой мессенджер — /messenger."
    ),
    "link_wrong": (
        "Эта ссылка недействительна: она устарела или уже использована. Получите новую "
        "командой /link_max или /link_vk там, где вы уже пользуетесь ботом."
    ),
    "link_wrong_messenger": "Эту ссылку нужно открыть {where}.",
    "link_same": "Этот аккаунт уже связан с вашим профилем. Список команд — /help.",
    "link_already_has": (
        "С вашим профилем уже связан другой аккаунт {where}, а связать можно только один."
    ),
    "link_taken": (
        "Этот аккаунт {where} уже зарегистрирован в боте отдельно — со своим согласием или "
        "ролями, — поэтому связать его нельзя. Если он больше не нужен, отправьте здесь "
        "/forget_me, а затем откройте ссылку снова, пока она действует."
    ),
    "messenger_now": "Сообщения бота приходят вам {reached}.",
    "messenger_choose": "Выберите, где их получать:",
    "messenger_link_other": "Связать аккаунт {where}: /{command}.",
    "messenger_chosen": "Готово: сообщения бота будут приходить {reached}.",
    "messenger_not_linked": "Аккаунт {where} не связан с ботом. Связать: /{command}.",
    "moving_header": (
        "Переход на MAX по классам (ученики, родители и учителя класса; каждый считается один раз):"
    ),
    "moving_line": (
        "• {class_name}: {total:человек}; в MAX — {on_max}, из них и во ВКонтакте — {both}; "
        "только во ВКонтакте — {vk_only}"
    ),
    "moving_line_neither": "; без аккаунта — {neither}",
    "moving_total": "Всего {total:человек}, из них в MAX — {on_max} ({percent}%).",
    "moving_empty": "В классах пока никого нет.",
    "moving_report": (
        "• Переход на MAX: в классах {total:человек}, из них в MAX — {on_max} ({percent}%)."
    ),
    "chat_added_to": "Я добавил вас в беседу «{what}» {where}.",
    "chats_on": "{what} ({messenger})",
}

# Where, in words: «в MAX», «во ВКонтакте» (messenger names do not decline by rule).
MESSENGER_WHERE: dict[str, str] = {"vk": "во ВКонтакте", "max": "в MAX"}

# Plural forms for code that counts outside a text; texts say ``{count:заявка}`` instead.
FORMS: dict[str, tuple[str, str, str]] = {
    "request": ("заявка", "заявки", "заявок"),
    "invitation": ("приглашение", "приглашения", "приглашений"),
    "person": ("человек", "человека", "человек"),
    "class": ("класс", "класса", "классов"),
    "day": ("день", "дня", "дней"),
    "hour": ("час", "часа", "часов"),
    "minute": ("минута", "минуты", "минут"),
    "use": ("использование", "использования", "использований"),
    "message": ("сообщение", "сообщения", "сообщений"),
    "member": ("участник", "участника", "участников"),
    "member_gen": ("человек", "человека", "человек"),
}


def t(key: str, **values: Any) -> str:
    """The text for `key`, with its placeholders filled (grammar: see the module's top)."""
    return FORMATTER.format(TEXTS[key], **values) if values else TEXTS[key]


def t_on(messenger: str, key: str, **values: Any) -> str:
    """The text for `key` as it reads on `messenger`: its own wording (`key.max`) where the
    messenger's app or numbering shows through, else the common one."""
    own = f"{key}.{messenger}"
    return t(own if own in TEXTS else key, **values)


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def format_moment(moment: datetime, zone: tzinfo) -> str:
    """A moment in the school's time zone, as Russian schools write it: 28.11.2026 15:30."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def format_date(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y")


def format_time_left(delta: timedelta) -> str:
    """How long until something, to the nearest minute, in the accusative of «через …» and
    «за …»: «1 минуту», «1 час 30 минут», «2 дня»."""
    minutes = max(1, round(delta.total_seconds() / 60))
    days, minutes = divmod(minutes, 1_440)
    hours, minutes = divmod(minutes, 60)
    parts = [
        counted(value, noun, "accs")
        for value, noun in ((days, "день"), (hours, "час"), (minutes, "минута"))
        if value
    ]
    return " ".join(parts[:2])


def format_age(delta: timedelta) -> Amount:
    """How long something has waited, in the largest whole unit: «3 дня», «5 часов».

    An `Amount`, so a text can put it in the case it needs: «ждёт {age:accs}» → «1 минуту».
    """
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86_400:
        return Amount(seconds // 86_400, "день")
    if seconds >= 3_600:
        return Amount(seconds // 3_600, "час")
    return Amount(max(1, seconds // 60), "минута")
