"""A faithful local fake of the MAX Bot API (0.0.32) for bots.

Start a :class:`MaxSandbox` (``async with MaxSandbox() as sb``), point a client at
``sb.api_url`` with ``sb.token`` (the ``Authorization`` header, or the older ``access_token``
parameter), and drive users and chats with :class:`UserDriver` / :class:`ChatDriver`, whose
interface is vk_sandbox's. ``python -m max_sandbox`` runs one standalone.

Where the published schema contradicts itself, the sandbox follows the documentation's text:

- ``ChatType`` lists only ``"chat"``; the Chat model's text (and MAX) also say ``"dialog"`` and
  ``"channel"``: a dialog is ``"dialog"`` (in Chat and in a message's ``recipient.chat_type``).
- ``MessageBody`` requires ``link``, which is not one of its properties (``link`` belongs to the
  Message): the body has no ``link``.
- ``NewMessageBody`` requires ``text``, ``attachments`` and ``link`` though each is nullable and
  the docs' examples send only ``text``: none is required, a message needs text or attachments.
- ``Button``'s discriminator has no ``chat`` entry although the docs and ``ChatButton`` describe
  the chat button: it is accepted.
- GET /updates without ``marker`` gives "the last update" in the parameter's text and "all
  updates since the previous request" for a marker; the server keeps the cursor: every update
  is delivered until a later marker acknowledges it.
- GET /chats/{chatLink} finds only public chats (the docs: channels), never a private chat.
- GET /chats is documented as no longer served from June 2026; it still answers ChatList here
  (``MaxSandbox(chats_list=False)`` answers 404 as the docs have it).
- UpdateList's text: a bot gets a group chat's events only as its admin; ``bot_added`` and
  ``bot_removed`` always. ``ChatDriver.add_bot`` makes the bot an admin unless told otherwise.
- Webhooks must be HTTPS on port 443 at MAX; the sandbox also delivers to http on loopback,
  retrying non-200 answers after 0.05 s, ×2.5 (MAX: 60 s, ×2.5, up to 8 hours).
- Error codes (``code``) are not listed by the schema; the sandbox uses MAX's dotted keys:
  ``verify.token`` (401), ``too.many.requests`` (429), ``chat.not.found`` (404),
  ``chat.denied`` (403; ``error.dialog.suspended`` for a user who stopped the bot),
  ``proto.payload`` (400), ``method.not.allowed`` (405), ``internal.error`` /
  ``service.unavailable`` (5xx).
"""

from .drivers import ChatDriver, UserDriver
from .errors import MaxError
from .faults import Fault, Faults
from .models import BotMessage, Button, CallRecord
from .sandbox import MaxSandbox

__all__ = [
    "BotMessage",
    "Button",
    "CallRecord",
    "ChatDriver",
    "Fault",
    "Faults",
    "MaxError",
    "MaxSandbox",
    "UserDriver",
]
