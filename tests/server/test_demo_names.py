"""Every name people or staff read, in the demo and in a new desk's defaults, exists in each
language the desk serves and in the eight languages ventanilla ships."""

import pytest
from django.apps import apps

from ventanilla.accountability.models import Category, Criterion, Post
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.desks.services import add_default_request_types
from ventanilla.helpcentre.models import ApplicationService
from ventanilla.knowledge.models import Topic
from ventanilla.lib.names import NamedInLanguages
from ventanilla.referrals.models import Organisation, Service
from ventanilla.server import demo
from ventanilla.teamwork.models import CannedResponse

SHIPPED = ["es", "fr", "ar", "nl", "en", "it", "de", "zgh"]


def gaps(named, languages):
    """`Model key: the languages it has no name in`, for each named object lacking some."""
    found = []
    for thing in named:
        missing = thing.missing_names(languages)
        if missing:
            found.append(f"{type(thing).__name__} {thing.name}: {', '.join(missing)}")
    return found


def languages_of(desk):
    return list(dict.fromkeys([*desk.languages, *SHIPPED]))


def test_the_shipped_languages_are_the_eight(settings):
    assert sorted(code for code, _ in settings.LANGUAGES) == sorted(SHIPPED)


@pytest.mark.django_db(transaction=True)
def test_everything_the_demo_names_has_a_name_in_every_language():
    demo.load()
    desk = Desk.objects.get(slug=demo.DESK)
    named = [
        desk,
        *Team.objects.filter(desk=desk),
        *RequestType.objects.filter(desk=desk),
        *Topic.objects.all(),
        *CannedResponse.objects.filter(desk=desk),
        *ApplicationService.objects.filter(desk=desk),
        *Post.objects.filter(desk=desk),
        *Category.objects.filter(desk=desk),
        *Criterion.objects.filter(desk=desk),
        *Organisation.objects.filter(desk=desk),
        *Service.objects.filter(desk=desk),
    ]
    # Every kind of named thing is looked at, and the demo has some of each.
    kinds = {model for model in apps.get_models() if issubclass(model, NamedInLanguages)}
    assert {type(thing) for thing in named} == kinds
    assert gaps(named, languages_of(desk)) == []
    described = [s for s in Service.objects.filter(desk=desk) if set(s.descriptions) < set(SHIPPED)]
    assert described == []  # what each service does, too
    assert Topic.objects.count() >= 3 and ApplicationService.objects.count() == 3
    # Loading it again changes nothing, names included.
    before = [(type(thing), thing.pk, thing.names) for thing in named]
    demo.load()
    assert [(kind, pk, kind.objects.get(pk=pk).names) for kind, pk, _ in before] == before


@pytest.mark.parametrize("languages", [["fr", "ar"], ["zgh", "es-MX"], ["de", "it", "nl"]])
def test_a_new_desks_request_types_have_a_name_in_every_language(db, languages):
    desk = Desk.objects.create(slug="new", name="Nouveau", languages=languages)
    created = add_default_request_types(desk=desk, by=None)
    assert created and gaps(created, languages_of(desk)) == []


@pytest.mark.parametrize("languages", [["fr", "ar"], ["zgh", "es-MX"], ["de", "it", "nl"]])
def test_a_new_desks_scorecard_and_categories_have_a_name_in_every_language(db, languages):
    desk = Desk.objects.create(slug="new", name="Nouveau", languages=languages)
    made = [*Criterion.objects.filter(desk=desk), *Category.objects.filter(desk=desk)]
    assert len(made) == 10 and gaps(made, languages_of(desk)) == []


def test_a_name_lacking_a_language_is_found():
    team = Team(name="Legal", names={code: "x" for code in SHIPPED if code != "zgh"})
    assert gaps([team], ["en", *SHIPPED]) == ["Team Legal: zgh"]
    team.names["zgh"] = "ⴰⵙⵓⵔⵙ"
    assert gaps([team], ["en", "ar-MA", *SHIPPED]) == []  # "ar" serves "ar-MA"
