"""Notifications to students, parents and staff: e-mail, SMS and push.

For other apps: ``services.notify(user=, school=, event=, subject=, body=, url="")`` inside
the transaction of the change (event is one of ``models.Event``: mark, absence, homework,
period_mark, message). The journal and attestation, below this app, tell ``handlers`` of
their changes after commit through ``core.registry`` (``MARKS_CHANGED``,
``ATTENDANCE_CHANGED``, ``HOMEWORK_CHANGED``, ``PERIOD_MARKS_CHANGED``).

Operation: deliveries run as django-tasks on the queue worker; a failed one is retried with
backoff (deferred on the database queue; ``manage.py notifications_retry`` every few
minutes catches the rest). Digests: ``manage.py notifications_digest daily`` every evening
and ``manage.py notifications_digest weekly`` once a week, from cron or a systemd timer.
"""
