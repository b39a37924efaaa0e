"""The pieces both messenger sandboxes share, word for word.

``vk_sandbox`` and ``max_sandbox`` fake two different APIs, but the machinery around the fake is
the same: the drivers' inboxes and their waits, how a fault names the methods it hits, a bot
message's button lookup, and ``python -m <sandbox>`` serving until interrupted. It lives here, in
a package of its own, rather than in one sandbox that the other imports: neither sandbox should
depend on the other (a MAX-only school must not need VK's fake, nor the reverse), and nothing here
knows a messenger. What must stay true: this package imports neither sandbox nor ``bot``.
"""
