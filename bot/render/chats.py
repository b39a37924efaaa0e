"""A chat's purpose in words, as the chat lists, the digest and the event dialog name it."""

from __future__ import annotations

from bot.domain.chats import CLASS_KINDS
from bot.storage.chats import ChatRow
from bot.texts import t


def describe(kind: str, sub_kind: str | None, class_name: str | None) -> str:
    """A chat's purpose in words: «родители 5А», «руководитель и заместители»."""
    if kind in CLASS_KINDS:
        return t(f"chat_what_{kind}", class_name=class_name or "")
    if kind == "subject":
        if class_name:
            return t("chat_what_subject", sub=sub_kind or "", class_name=class_name)
        return t("chat_what_subject_noclass", sub=sub_kind or "")
    if kind in ("management", "channel"):
        return t(f"chat_what_{kind}_{sub_kind}")
    return t("chat_what_other", sub=sub_kind or "")


def describe_chat(chat: ChatRow) -> str:
    return describe(chat.kind or "other", chat.sub_kind, chat.class_name)
