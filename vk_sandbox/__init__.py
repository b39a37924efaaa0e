"""A faithful local fake of the VK API (5.199) for community bots.

Start a :class:`VKSandbox`, point a vkbottle ``API`` at ``sandbox.api_url`` with
``sandbox.token``, and drive users and chats with :class:`UserDriver` / :class:`ChatDriver`.
"""

from .drivers import ChatDriver, UserDriver
from .errors import VKError
from .faults import Faults
from .models import BotMessage, Button, CallRecord
from .sandbox import VKSandbox

__all__ = [
    "BotMessage",
    "Button",
    "CallRecord",
    "ChatDriver",
    "Faults",
    "UserDriver",
    "VKError",
    "VKSandbox",
]
