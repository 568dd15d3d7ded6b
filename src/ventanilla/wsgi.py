"""The WSGI application, for `ventanilla run` or any WSGI server (gunicorn ventanilla.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
application = get_wsgi_application()

from ventanilla.privacy.services import verify_data_key  # noqa: E402 (needs Django set up)

verify_data_key()  # refuse to serve with a data key the database was not written with
