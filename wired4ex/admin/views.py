"""Views of the admin blueprint."""

from wired4ex.admin import bp  # noqa: F401
