"""Notifications: the outbox (mail written with its event, delivered by a job), the notification
centre, preferences with one-click unsubscribe, scheduled reminders and the admins' view of
delivery."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from wired4ex.notifications import admin_views, tasks, views  # noqa: E402,F401  (routes, jobs)
