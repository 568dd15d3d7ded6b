"""API v1: a desk's own wording of the public and automatic texts, per language."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ventanilla.desks import text_services
from ventanilla.desks.selectors import desk_for
from ventanilla.desks.texts_selectors import STATES, TextRow, counts, desk_texts, filtered
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid

router = Router(tags=["desks"])
PERMISSION = "desks.supervise_desk"  # supervisors of the desk and administrators


class TextsQuery(Schema):
    language: str = Field(description="A language of the desk, such as es or uk")
    state: str = Field(
        "all", description='"missing", "unreviewed", "custom", "translated" or "all"'
    )
    q: str = Field("", max_length=200, description="Words the texts contain")


class DeskTextOut(Schema):
    msgid: str = Field(description="The English text")
    context: str = ""
    plural: str = Field("", description="The English plural, for a text with plural forms")
    note: str = Field("", description="What translators are told about it")
    catalogue: str | list[str] | None = Field(
        description="The catalogue's text in the language (a list of forms for a plural); "
        "null when the catalogue lacks it"
    )
    desk: str | list[str] | None = Field(description="The desk's own text, if it has one")
    state: str = Field(description='"custom", "translated", "unreviewed" or "missing"')


class TextsOut(Schema):
    language: str
    counts: dict[str, int]
    texts: list[DeskTextOut]


class DeskTextIn(Schema):
    msgid: str = Field(max_length=4096, description="The English text, as listed")
    context: str = Field("", max_length=200)
    text: str | list[str] = Field(
        description="The desk's text; a list of forms for a text with plural forms"
    )


class DeskTextKey(Schema):
    msgid: str = Field(max_length=4096)
    context: str = Field("", max_length=200)


def _value(forms: tuple[str, ...] | None, plural: bool) -> str | list[str] | None:
    if forms is None:
        return None
    return list(forms) if plural else forms[0]


def _shown(row: TextRow) -> dict[str, Any]:
    plural = bool(row.entry.plural)
    return {
        "msgid": row.entry.msgid,
        "context": row.entry.context,
        "plural": row.entry.plural,
        "note": row.entry.note,
        "catalogue": _value(row.catalogue, plural),
        "desk": _value(row.desk, plural),
        "state": row.state,
    }


@router.get("/{slug}/texts", response=TextsOut)
def list_texts(request: HttpRequest, slug: str, params: Query[TextsQuery]) -> dict[str, Any]:
    """The public and automatic texts in one language: the catalogue's and the desk's own,
    and which are missing or were written without a native speaker's review."""
    require(request.user, PERMISSION)
    desk = desk_for(request.user, slug)
    if params.state not in ("all", *STATES):
        raise Invalid(f"state: one of all, {', '.join(STATES)}")
    language = text_services.check_language(desk, params.language)
    rows = desk_texts(desk, language)
    shown = filtered(rows, state=params.state, query=params.q)
    return {"language": language, "counts": counts(rows), "texts": [_shown(r) for r in shown]}


@router.put("/{slug}/texts/{language}", response=DeskTextOut)
def put_text(request: HttpRequest, slug: str, language: str, payload: DeskTextIn) -> dict[str, Any]:
    """Word a text the desk's own way in a language (its values, such as `%(when)s`, kept)."""
    require(request.user, PERMISSION)
    desk = desk_for(request.user, slug)
    text_services.set_text(
        desk=desk,
        language=language,
        msgid=payload.msgid,
        context=payload.context,
        text=payload.text,
        by=request.user,  # type: ignore[arg-type]
    )
    key = text_services.public_text(payload.msgid, payload.context).key
    row = next(r for r in desk_texts(desk, language) if r.entry.key == key)
    return _shown(row)


@router.delete("/{slug}/texts/{language}", response={204: None})
def delete_text(
    request: HttpRequest, slug: str, language: str, payload: DeskTextKey
) -> Status[None]:
    """Go back to the catalogue's text."""
    require(request.user, PERMISSION)
    desk = desk_for(request.user, slug)
    text_services.check_language(desk, language)
    text_services.public_text(payload.msgid, payload.context)
    text_services.remove_text(
        desk=desk,
        language=language,
        msgid=payload.msgid,
        context=payload.context,
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(204, None)
