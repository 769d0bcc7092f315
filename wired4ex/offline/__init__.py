"""Learning offline: the installable web app (manifest, icons, service worker), courses saved
on the phone, answers given offline and counted once back online, and printable course packs."""

from flask import Blueprint

bp = Blueprint("offline", __name__, template_folder="templates")

from wired4ex.offline import views  # noqa: E402,F401  (routes attach to bp)
