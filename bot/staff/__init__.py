"""Staff review: a signed-in web app under ``/staff/`` to read, triage and learn from conversations.

Conversations come from Rasa's tracker store (the ``events`` table in ``DATABASE_URL``); this
package keeps its own tables beside it (migration ``0301_staff``): accounts, sessions, audit log,
reviews, intent corrections and a per-conversation summary that keeps the list fast.

Pages (all need sign-in; see ``routes.py``): ``/staff/`` the requests inbox (booking and
talk-to-a-person requests, status new -> contacted -> booked/closed, Today filter, reference search;
``inbox.py``), ``/staff/requests/KIND/N`` one request with its history, ``/staff/conversations``
list with filters, ``/staff/conversations/N`` transcript in plain words (details toggle, review,
notes, tags, intent corrections, admin-only reveal of contacts in messages), ``/staff/dashboard``,
``/staff/audit`` (admin), exports ``/staff/export/conversations.csv`` and ``/staff/export/nlu.yml``.

Roles: admin (everything), staff (front desk: sees request contacts in full, each view audited),
reviewer (reads conversations; contacts masked).

Command line: ``bot staff add EMAIL --role admin|staff|reviewer [--update]``, ``bot staff sync
[--rebuild]``, ``bot logs purge --older-than DAYS``.

Settings: the staff rows of the README's settings table (read by ``config.py``).
"""
