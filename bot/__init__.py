"""sferum-bot: a school's assistant in VK Messenger's learning profile («Сферум»)."""
