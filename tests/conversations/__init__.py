"""Whole conversations: Rasa's data validation and story tests, and the REST channel."""
