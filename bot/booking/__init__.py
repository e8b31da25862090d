"""Booking and talk-to-a-person requests, from the patient's answers to staff's inbox.

- :mod:`.flow`: what the booking and handoff forms make of each answer (pure functions);
- :mod:`.contact`: phone and email checks, with a specific re-ask for each mistake;
- :mod:`.store` and :mod:`.models`: the request and its outbox row, written once, in one
  transaction (an idempotency key makes a retried confirmation a no-op);
- :mod:`.notify`: tells staff by email and/or webhook from that outbox, retrying until it works.
"""
