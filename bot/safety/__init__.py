"""The red-flag safety net: everything that decides whether a message needs urgent advice.

``detector`` finds red flags and their context, ``replies`` words the urgent advice from the
clinic's data, ``guard`` is the Rasa NLU component that applies both to every message.
"""
