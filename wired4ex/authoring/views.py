"""Views of the authoring blueprint."""

from wired4ex.authoring import bp  # noqa: F401
