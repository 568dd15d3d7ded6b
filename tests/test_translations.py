"""Every user-facing string is translated, and the committed catalogues are up to date."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

import ventanilla

SOURCE = Path(ventanilla.__file__).parent
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
TOOLS = ("xgettext", "msgmerge", "msgfmt", "msgen")
needs_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS), reason="GNU gettext is not installed"
)


def catalog(po_file, tmp_path):
    """The messages a .po file compiles to (untranslated and fuzzy ones are left out)."""
    mo_file = tmp_path / f"{po_file.parent.parent.name}-{po_file.stem}.mo"
    subprocess.run(["msgfmt", "-o", mo_file, po_file], check=True)
    with mo_file.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def msgids(compiled):
    """The messages of a catalogue; a plural message counts once, whatever its forms."""
    return {key[0] if isinstance(key, tuple) else key for key in compiled}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalogue template made afresh from today's source, in a copy of the tree."""
    copy = tmp_path_factory.mktemp("source") / "ventanilla"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [
            django_admin,
            "makemessages",
            "--all",
            "--no-location",
            "--no-obsolete",
            "--keep-pot",
            "-e",
            "html,txt,py,js",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    template = copy / "locale" / "django.pot"
    # xgettext leaves the plural rule to fill in; English has two forms.
    text = template.read_text().replace(
        "nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);"
    )
    template.write_text(text)
    as_english = template.with_suffix(".en.po")
    subprocess.run(["msgen", "-o", as_english, template], check=True)
    return msgids(catalog(as_english, tmp_path_factory.mktemp("mo")))


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_source_is_translated(language, extracted, tmp_path):
    committed = msgids(
        catalog(SOURCE / "locale" / language / "LC_MESSAGES" / "django.po", tmp_path)
    )
    missing = sorted(set(extracted) - set(committed))
    stale = sorted(set(committed) - set(extracted))
    assert missing == [], f"untranslated in {language}: run `make messages` and translate"
    assert stale == [], f"no longer in the source ({language}): run `make messages`"


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_match_their_sources(language, tmp_path):
    folder = SOURCE / "locale" / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    assert compiled == catalog(folder / "django.po", tmp_path), "run `make messages`"


def test_the_models_and_their_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
