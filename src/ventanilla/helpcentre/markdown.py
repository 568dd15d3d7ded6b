"""Article bodies from Markdown to HTML that cannot carry script into a public page.

Raw HTML is shown as text, links go only to the web, e-mail and telephone, and pictures
become links: a picture fetched from another site would tell that site who reads the guide,
and would not be there offline. The body's headings start one level under the article's title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

SAFE_LINK = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)


def is_safe_link(url: str) -> bool:
    return bool(SAFE_LINK.match(url))


def _image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    text = self.renderInlineAsText(token.children or [], options, env) or str(token.attrs["src"])
    return f'<a href="{escapeHtml(str(token.attrs["src"]))}">{escapeHtml(text)}</a>'


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.validateLink = is_safe_link  # type: ignore[method-assign]
    parser.add_render_rule("image", _image_as_link)
    return parser


_markdown = _parser()


def render(text: str) -> SafeString:
    """Markdown as HTML safe to put in a page as is."""
    tokens = _markdown.parse(text)
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    if headings:
        shift = 2 - min(int(token.tag[1]) for token in headings)
        for token in headings:
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return mark_safe(html)  # noqa: S308 (escaped by markdown-it: no raw HTML, links checked)
