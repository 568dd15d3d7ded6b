"""The committed list of public and automatic texts is today's, and holds no staff's text."""

import shutil

import pytest

from ventanilla.desks.texts_catalogue import public_texts
from ventanilla.desks.texts_extract import extract

needs_gettext = pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext")


@needs_gettext
def test_the_list_of_public_texts_is_up_to_date():
    committed = [{k: v for k, v in vars(entry).items() if v} for entry in public_texts().values()]
    assert extract() == committed, "run `python -m ventanilla.desks.texts_extract`"


def test_the_bot_the_notices_and_the_help_centre_are_listed_and_the_console_is_not():
    listed = public_texts()
    assert "Thank you for writing. We are closed now and open again on %(when)s." in listed
    assert "Choose your language" in listed  # the web chat
    assert "desk\x04Closed" in listed  # a text with a context
    assert listed["%(count)s article found."].plural == "%(count)s articles found."
    assert "Canned responses" not in listed  # the console's
    assert "Welcome to %(desk)s." in listed  # the phone line's prompts
