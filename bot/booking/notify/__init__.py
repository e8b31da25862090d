"""Tell staff about new booking and talk-to-a-person requests: email over SMTP and/or a webhook.

Requests are stored with an outbox row in the same transaction (:mod:`bot.booking.store`); this
package
delivers the outbox. A delivery that fails is logged (without personal data) and retried with
exponential backoff; the stored request is never changed or lost. Each notifier is tracked on its
own, so a retry after a webhook failure does not email staff twice. Two deliverers (the action
server's :func:`kick_delivery` and the ``python -m bot notify run`` worker) can run at once: a
row is claimed by pushing its ``next_attempt_at`` forward in one atomic UPDATE before sending.

Modules: :mod:`.settings` (where notifications go), :mod:`.messages` (what staff read),
:mod:`.outbox` (claiming, sending and retrying rows), :mod:`.worker` (the background thread, the
worker process and its command line).

Settings (``NOTIFY_*`` and ``SMTP_*``): the README's "Settings" table, the one list of every
variable; they are read through :data:`bot.settings.setting` by :mod:`.settings`.

With no notifier configured, rows stay pending (nothing is marked delivered that nobody saw) and
are sent once a notifier is configured; staff can always see requests in staff review.
"""
