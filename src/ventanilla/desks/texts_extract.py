"""Extracts the public and automatic texts into `public_texts.json`, the list desks may word.

Run `python -m ventanilla.desks.texts_extract` (needs GNU gettext's xgettext) after changing
a text people read or hear; tests/desks/test_public_texts.py fails while the list is stale.
A source is a module, a module's class or assignment (`path::Name`: staff's texts beside
public ones, such as the phone line's), or a folder of templates.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ventanilla.desks.texts_catalogue import PUBLIC_TEXTS, read_po

SOURCE = Path(__file__).parent.parent
PUBLIC_SOURCES = (
    "calls/prompts.py::TEXTS",
    "triage/out_of_hours.py",
    "triage/privacy.py",
    "triage/complaints.py",
    "accountability/selectors.py",
    "accountability/surveys.py",
    "desks/hours.py",
    "helpcentre/application_texts.py",
    "helpcentre/directory_page.py",
    "helpcentre/forms.py",
    "helpcentre/guide.py",
    "helpcentre/models.py::ApplicationStatus",
    "helpcentre/offline.py",
    "helpcentre/portal.py",
    "helpcentre/status_chat.py",
    "helpcentre/status_page.py",
    "helpcentre/webchat.py",
    "helpcentre/templates/helpcentre",
    "knowledge/bot.py",
    "knowledge/bot_texts.py",
    "referrals/models.py::ServiceType",
    "referrals/models.py::Cost",
    "referrals/models.py::Violation",
    "referrals/models.py::Perpetrator",
    "referrals/offers.py",
    "referrals/protection_flow.py",
    "referrals/services.py",
    "referrals/transfers.py",
)
TEMPLATE_SUFFIXES = (".html", ".txt", ".js")
KEYWORDS = (
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "_",
    "ngettext:1,2",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "pgettext_lazy:1c,2",
    "npgettext:1c,2,3",
    "npgettext_lazy:1c,2,3",
)


def _part(path: Path, name: str) -> str:
    """The source of one class or assignment of a module, other lines left blank."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.parse(text).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.ClassDef) and node.name == name:
            targets = [ast.Name(name)]
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            end = node.end_lineno or node.lineno
            kept = lines[node.lineno - 1 : end]
            return "\n" * (node.lineno - 1) + "\n".join(kept) + "\n"
    raise LookupError(f"{path}: no {name}")


def _sources(folder: Path) -> list[Path]:
    """The sources, as files xgettext can read, written into `folder`."""
    from django.utils.translation.template import templatize

    written = []
    for spec in PUBLIC_SOURCES:
        relative, _, name = spec.partition("::")
        path = SOURCE / relative
        if path.is_dir():
            for template in sorted(path.rglob("*")):
                if template.suffix not in TEMPLATE_SUFFIXES or not template.is_file():
                    continue
                code = templatize(template.read_text(encoding="utf-8"), origin=str(template))
                target = folder / template.relative_to(SOURCE).with_suffix(".py")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(code, encoding="utf-8")
                written.append(target)
            continue
        code = _part(path, name) if name else path.read_text(encoding="utf-8")
        # Named after the part too: two parts of one module are two files.
        stem = relative.removesuffix(".py") + (f"-{name}" if name else "")
        target = folder / f"{stem.replace('/', '_')}.py"
        target.write_text(code, encoding="utf-8")
        written.append(target)
    return written


def extract() -> list[dict[str, str]]:
    """The public texts of today's source, sorted, as the committed list has them."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        files = _sources(folder)
        pot = folder / "public.pot"
        command = [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--add-comments=Translators",
            "--no-location",
            "--no-wrap",
            "--force-po",
            "-o",
            str(pot),
            *(f"--keyword={keyword}" for keyword in KEYWORDS),
            *(str(f) for f in files),
        ]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (our own files)
        entries = read_po(pot.read_text(encoding="utf-8"))
    listed = []
    for entry in entries:
        item = {"msgid": entry.msgid}
        if entry.context:
            item["context"] = entry.context
        if entry.plural:
            item["plural"] = entry.plural
        note = " ".join(c.removeprefix("Translators:").strip() for c in entry.comments)
        if note:
            item["note"] = note
        listed.append(item)
    return sorted(listed, key=lambda item: (item["msgid"], item.get("context", "")))


def write() -> None:
    text = json.dumps(extract(), ensure_ascii=False, indent=1) + "\n"
    PUBLIC_TEXTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(SOURCE.parent))
    django.setup()
    write()
