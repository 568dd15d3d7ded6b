"""The rules of the house, checked mechanically on the source tree."""

import ast
from pathlib import Path

import ventanilla

SOURCE = Path(ventanilla.__file__).parent
PERSONAL_MODELS = {
    "Conversation",
    "Message",
    "Note",
    "Attachment",
    "Contact",
    "Identity",
    "PortalAccess",
    "Application",
    "StatusLookup",
    "Call",
}
INTERFACES = [
    "views.py",
    "api.py",
    "console/*.py",
    "helpcentre/webchat.py",
    "helpcentre/portal.py",
    "helpcentre/guide.py",
    "helpcentre/offline.py",
    "helpcentre/status_page.py",
]
SERVICES = [
    "services.py",
    "conversations/inbound.py",
    "conversations/delivery.py",
    "conversations/media.py",
    "calls/records.py",
    "calls/flow.py",
]


def modules(pattern):
    found = SOURCE.glob(pattern) if "/" in pattern else SOURCE.rglob(pattern)
    return [p for p in found if "migrations" not in p.parts]


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_rule_finds_what_it_looks_for():
    sample = ast.parse("Conversation.objects.filter(pk=1)")
    assert _personal_queries(sample) == ["Conversation"]


def _personal_queries(tree):
    return [
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in PERSONAL_MODELS
    ]


def test_views_and_api_modules_reach_personal_data_only_through_access_functions():
    assert len([p for pattern in INTERFACES for p in modules(pattern)]) >= 8
    offenders = {
        str(path.relative_to(SOURCE)): found
        for path in [p for pattern in INTERFACES for p in modules(pattern)]
        if (found := _personal_queries(ast.parse(path.read_text())))
    }
    assert offenders == {}


def test_adapters_never_touch_the_database_or_the_conversations():
    forbidden = ("ventanilla.conversations", "ventanilla.contacts", "django.db")
    offenders = {
        path.name: imported
        for path in (SOURCE / "channels" / "adapters").glob("*.py")
        for imported in imported_modules(path)
        if imported.startswith(forbidden)
    }
    assert offenders == {}


def test_services_never_import_interfaces():
    interfaces = (".views", ".api", ".admin", ".urls")
    offenders = [
        (str(path.relative_to(SOURCE)), imported)
        for path in [p for pattern in SERVICES for p in modules(pattern)]
        for imported in imported_modules(path)
        if imported.startswith("ventanilla") and imported.endswith(interfaces)
    ]
    assert offenders == []


def test_every_module_opens_with_a_docstring():
    missing = [
        str(path.relative_to(SOURCE))
        for path in modules("*.py")
        if path.name not in {"apps.py", "admin.py", "urls.py", "__main__.py"}
        and path.read_text().strip()
        and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []
