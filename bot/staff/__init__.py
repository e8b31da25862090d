"""Staff review: a signed-in web app under ``/staff/`` to read, triage and learn from conversations.

Conversations come from Rasa's tracker store (the ``events`` table in ``DATABASE_URL``); this
package keeps its own tables beside it (accounts, sessions, audit log, reviews, intent corrections
and a per-conversation summary that keeps the list fast). See ``routes.py`` for the pages.
"""
