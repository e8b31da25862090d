"""Rasa SDK actions. They stay thin: what to say comes from ``bot/`` (knowledge, replies)."""
