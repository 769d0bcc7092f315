"""Views of the authoring blueprint."""

from wired4ex.authoring import bp  # noqa: F401
from wired4ex.authoring import models  # noqa: F401
