"""The guide's pages in the console, under /console/guide/."""

from django.urls import path

from ventanilla.console import guide

app_name = "guide"
urlpatterns = [
    path("", guide.articles, name="articles"),
    path("gaps/", guide.gaps, name="gaps"),
    path("gaps/article/", guide.gap_article, name="gap-article"),
    path("gaps/question/", guide.gap_question, name="gap-question"),
    path("gaps/aside/", guide.gap_aside, name="gap-aside"),
    path("<slug:key>/", guide.article, name="article"),
    path("<slug:key>/text/", guide.save_text, name="text"),
    path("<slug:key>/machine/", guide.machine, name="machine"),
    path("<slug:key>/state/", guide.state, name="state"),
    path("<slug:key>/practical/", guide.practical, name="practical"),
    path("<slug:key>/about/", guide.about, name="about"),
]
