"""Input channels: where a patient's message enters the bot (REST, web widget, SMS)."""
