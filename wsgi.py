"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

from wired4ex import create_app

app = create_app()
