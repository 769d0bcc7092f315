"""Views of the api blueprint."""

from wired4ex.api import bp  # noqa: F401
