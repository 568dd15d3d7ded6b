"""The guide learns from what it did not answer: gaps kept and grouped, answers suggested to
agents, and an agent's answer turned into a question or a draft article in one step."""

import pytest

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.gaps import gap_groups, open_gaps, record_agent_reply, record_gap
from ventanilla.knowledge.models import Article, Gap, GapSource, ReviewState, Translation
from ventanilla.knowledge.services import add_question, import_articles
from ventanilla.lib.errors import Forbidden, Invalid

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": "Traiga el pasaporte anterior y una foto.\n\n{{practical}}",
                "questions": ["se me venció el pasaporte"],
            }
        },
    }
]


@pytest.fixture
def guide(db):
    import_articles(entries=entries_from(GUIDE), by=None)


@pytest.fixture
def asked(webchat, make_inbound):
    """A conversation in Spanish where the person asked a question."""

    def ask(text, visitor="visitor-1"):
        inbound = make_inbound(scheme="webchat", address=visitor, text=text)
        conversation = receive(channel=webchat, inbound=inbound).message.conversation
        conversation.language = "es"
        conversation.save(update_fields=["language"])
        return conversation

    return ask


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_a_question_is_added_once_as_a_new_version(guide, supervisor):
    article = Article.objects.get(key="passport-renewal")
    assert add_question(
        article=article, language="es", question="  mi pasaporte  caducó ", by=supervisor
    )
    assert not add_question(article=article, language="es", question="MI PASAPORTE CADUCÓ", by=None)
    translation = Translation.objects.get(article=article, language="es")
    assert translation.questions == ["se me venció el pasaporte", "mi pasaporte caducó"]
    assert translation.version == 2
    with pytest.raises(Invalid):
        add_question(article=article, language="ar", question="جواز", by=None)
    with pytest.raises(Invalid):
        add_question(article=article, language="es", question=" ", by=None)


def test_gaps_are_grouped_by_the_words_their_questions_share(asked):
    questions = [
        "¿Cómo saco la partida de nacimiento de mi hija?",
        "necesito partida de nacimiento",
        "partidas de nacimiento para la escuela",
        "¿Puedo votar desde el extranjero?",
    ]
    for n, question in enumerate(questions):
        record_gap(conversation=asked(question, f"v{n}"), source=GapSource.BOT, question=question)
    groups = gap_groups(Gap.objects.order_by("created_at"))
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].languages == ["es"]
    assert [g.question for g in groups[0].examples] == questions[:3]
    assert groups[1].examples[0].question == questions[3]


def test_an_agents_first_answer_without_the_guide_is_a_gap_and_later_ones_are_not(asked, agent):
    conversation = asked("¿Puedo votar desde el extranjero?")
    first = services.reply(conversation=conversation, text="Sí, inscríbase en el censo.", by=agent)
    gap = record_agent_reply(message=first)
    assert gap is not None and gap.source == GapSource.AGENT
    assert (gap.question, gap.reply) == ("¿Puedo votar desde el extranjero?", first.text)
    second = services.reply(conversation=conversation, text="¿Algo más?", by=agent)
    assert record_agent_reply(message=second) is None
    other = asked("¿y el pasaporte?", "visitor-2")
    from_guide = services.reply(
        conversation=other, text="Renovar el pasaporte…", by=agent, article="passport-renewal"
    )
    assert from_guide.details["article"] == "passport-renewal"
    assert record_agent_reply(message=from_guide) is None
    assert Gap.objects.count() == 1


def test_only_editors_of_the_desk_see_its_gaps(asked, supervisor, agent, make_staff, other_desk):
    record_gap(conversation=asked("¿votar?"), source=GapSource.BOT, question="¿votar?")
    assert open_gaps(supervisor).count() == 1
    elsewhere = make_staff("supervisor", "elsewhere", desks=[other_desk])
    assert open_gaps(elsewhere).count() == 0
    with pytest.raises(Forbidden):
        open_gaps(agent)


def test_the_console_suggests_the_guides_answer_in_the_persons_language(
    guide, asked, signed_in, desk, supervisor
):
    from ventanilla.knowledge.models import Article as A
    from ventanilla.knowledge.services import set_override

    set_override(
        article=A.objects.get(key="passport-renewal"),
        desk=desk,
        language="es",
        practical="Cita: lunes a viernes.",
        by=supervisor,
    )
    conversation = asked("se me caducó el pasaporte, ¿qué hago?")
    page = signed_in.get(f"/console/c/{conversation.pk}/")
    assert f'hx-get="/console/c/{conversation.pk}/suggestions/"' in page.content.decode()
    response = signed_in.get(f"/console/c/{conversation.pk}/suggestions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-article="passport-renewal"' in html
    assert "Renovar el pasaporte" in html and "Cita: lunes a viernes." in html


def test_a_reply_drawn_from_a_suggestion_names_its_article_and_leaves_no_gap(
    guide, asked, signed_in
):
    conversation = asked("se me caducó el pasaporte")
    response = signed_in.post(
        f"/console/c/{conversation.pk}/reply/",
        {"text": "Renovar el pasaporte: traiga…", "article": "passport-renewal"},
    )
    assert response.status_code == 302
    sent = Message.objects.get(conversation=conversation, direction="out")
    assert sent.details["article"] == "passport-renewal"
    assert not Gap.objects.exists()
    signed_in.post(f"/console/c/{conversation.pk}/reply/", {"text": "x", "article": "Not A Key"})
    assert Message.objects.filter(direction="out").count() == 1


def test_an_agent_turns_an_answer_into_a_question_of_an_article(guide, asked, signed_in):
    conversation = asked("mi pasaporte ya no vale")
    signed_in.post(f"/console/c/{conversation.pk}/reply/", {"text": "Debe renovarlo en cita."})
    reply = Message.objects.get(conversation=conversation, direction="out")
    assert Gap.objects.filter(closed_at__isnull=True).count() == 1
    response = signed_in.post(
        f"/console/c/{conversation.pk}/learn/",
        {"message": reply.pk, "article": "passport-renewal"},
        follow=True,
    )
    assert "now knows this question" in response.content.decode()
    translation = Translation.objects.get(article__key="passport-renewal", language="es")
    assert translation.questions[-1] == "mi pasaporte ya no vale"
    gap = Gap.objects.get()
    assert gap.closed_at is not None and gap.article.key == "passport-renewal"


def test_an_agent_turns_an_answer_into_a_draft_article(guide, asked, signed_in, agent):
    conversation = asked("¿Puedo votar desde el extranjero?")
    signed_in.post(f"/console/c/{conversation.pk}/reply/", {"text": "Sí: inscríbase en el censo."})
    reply = Message.objects.get(conversation=conversation, direction="out")
    signed_in.post(
        f"/console/c/{conversation.pk}/learn/",
        {"message": reply.pk, "title": "Votar desde el extranjero", "topic": "elections"},
    )
    article = Article.objects.get(key="votar-desde-el-extranjero")
    assert article.state == ReviewState.DRAFT and article.topic.key == "elections"
    text = article.translations.get(language="es")
    assert (text.body, text.questions) == (
        "Sí: inscríbase en el censo.",
        ["¿Puedo votar desde el extranjero?"],
    )
    assert Gap.objects.get().article == article


@pytest.mark.parametrize(
    "data",
    [{}, {"message": "1"}, {"message": "999999", "article": "passport-renewal"}],
)
def test_learning_from_a_reply_refuses_bad_input_and_changes_nothing(guide, asked, signed_in, data):
    conversation = asked("mi pasaporte ya no vale")
    response = signed_in.post(f"/console/c/{conversation.pk}/learn/", data, follow=True)
    assert response.status_code in (200, 404)
    assert Article.objects.count() == 1
    assert Translation.objects.get(language="es").version == 1


def test_an_analyst_cannot_learn_from_replies_nor_see_suggestions(guide, asked, client, analyst):
    conversation = asked("pasaporte")
    client.force_login(analyst)
    assert client.get(f"/console/c/{conversation.pk}/suggestions/").status_code == 403
    assert client.post(f"/console/c/{conversation.pk}/learn/", {}).status_code == 403


def test_replies_through_the_api_name_their_article_or_become_gaps(guide, asked, api_as, agent):
    api = api_as(agent)
    drawn = asked("se me caducó el pasaporte")
    sent = api.post(
        f"/api/v1/conversations/{drawn.pk}/messages",
        {"text": "Renovar el pasaporte…", "article": "passport-renewal"},
    )
    assert sent.status_code == 201, sent.content
    assert Message.objects.get(conversation=drawn, direction="out").details["article"] == (
        "passport-renewal"
    )
    own = asked("¿Puedo votar desde el extranjero?", "visitor-2")
    assert api.post(f"/api/v1/conversations/{own.pk}/messages", {"text": "Sí."}).status_code == 201
    assert list(Gap.objects.values_list("conversation_id", "source")) == [(own.pk, "agent")]
    bad = api.post(f"/api/v1/conversations/{own.pk}/messages", {"text": "x", "article": "No!"})
    assert bad.status_code == 422


def test_an_agents_answer_completes_the_gap_the_bot_kept_for_the_question(asked, agent):
    conversation = asked("¿Puedo votar desde el extranjero?")
    kept = record_gap(
        conversation=conversation,
        source=GapSource.BOT,
        question="¿Puedo votar desde el extranjero?",
    )
    reply = services.reply(conversation=conversation, text="Sí, en el consulado.", by=agent)
    assert record_agent_reply(message=reply) == kept
    kept.refresh_from_db()
    assert (kept.source, kept.reply) == (GapSource.BOT, "Sí, en el consulado.")
    assert Gap.objects.count() == 1
