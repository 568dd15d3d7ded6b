"""WhatsApp templates are fetched from Meta by a service and kept; the selector that lists
them for the console and the API only reads what was kept."""

from ventanilla.channels.selectors import approved_templates
from ventanilla.channels.services import templates_for

FOLLOW_UP = {
    "name": "follow_up",
    "language": "es",
    "status": "APPROVED",
    "category": "UTILITY",
    "components": [{"type": "BODY", "text": "Hola {{1}}, ¿sigue necesitando ayuda?"}],
}


def asked_for_templates(graph):
    return graph.requests_to("/message_templates", method="GET")


def test_the_selector_reads_only_what_was_kept_and_never_calls_meta(whatsapp, graph):
    graph.templates = [FOLLOW_UP]
    assert approved_templates(whatsapp) is None
    assert asked_for_templates(graph) == []

    fetched = templates_for(channel=whatsapp)
    assert [(t["name"], t["parameters"]) for t in fetched] == [("follow_up", 1)]
    assert approved_templates(whatsapp) == fetched
    assert templates_for(channel=whatsapp) == fetched
    assert len(asked_for_templates(graph)) == 1  # kept, not asked again
