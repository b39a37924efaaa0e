"""The MAX messenger's adapter: everything MAX-shaped about the bot lives here (see
bot/max/adapter.py); the core knows only neutral records, messages and the port."""
