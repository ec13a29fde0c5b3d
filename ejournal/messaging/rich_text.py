"""Rich text kept as a small, safe subset of HTML."""

from __future__ import annotations

import nh3

TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}


def sanitise(html: str) -> str:
    """Scripts, event handlers, styles and unsafe links are removed; plain text is escaped."""
    html = html or ""
    if "<" not in html:
        html = "<br>".join(html.replace("&", "&amp;").replace(">", "&gt;").splitlines())
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
