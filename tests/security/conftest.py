"""Fixtures of the other test packages that the security tests reuse (pytest finds fixtures only
in the conftest files on a test's own path). The browser test of stored payloads lives in
tests/browser/test_xss_stored.py, beside the one browser those tests share."""

from tests.authoring.conftest import faculty, institution  # noqa: F401
from tests.certification.conftest import (  # noqa: F401
    add_points,
    complete_course,
    make_ahsm_eligible,
    today,
)
