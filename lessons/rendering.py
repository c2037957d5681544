"""Render lesson Markdown to sanitized HTML with a table of contents, cached by content hash.

markdown-it-py parses CommonMark (plus tables and strikethrough); fenced blocks with a known language
are highlighted by Pygments, and all other fenced blocks (box-drawing diagrams) are kept verbatim in a
``<pre class="diagram">`` so their columns line up. Raw HTML from authors passes through nh3, which
keeps a small allow-list of tags and attributes and drops scripts, event handlers and ``javascript:``
links. The result, with the table of contents as data and as HTML, is cached under the SHA-256 of the
source, so an unchanged lesson is rendered once and a page view only looks it up.
"""

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from django.core.cache import cache
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Bump when the output for the same source changes, so cached renderings are not reused.
RENDERER_VERSION = 2
CACHE_SECONDS = 60 * 60 * 24 * 7
PLAIN_LANGUAGES = {"", "text", "txt", "plain", "diagram", "ascii"}

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
    "pre": {"class"}, "code": {"class"}, "span": {"class"}, "div": {"class"},
    "td": {"style"}, "th": {"style"}, "ol": {"start"},
}
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True)
class Rendered:
    """A rendered body: sanitized ``html``, the ``toc`` as ``[{"level": 2, "id": ..., "title": ...}]`` and
    ``toc_html``, the toc's ``<li>`` items ready for the page ("" without headings)."""

    html: str
    toc: list = field(default_factory=list)
    toc_html: str = ""


def _toc_html(toc):
    return "".join(
        f'<li class="toc-{entry["level"]}"><a href="#{html.escape(entry["id"])}">{html.escape(entry["title"])}</a></li>'
        for entry in toc
    )


def _slugify(text, taken):
    base = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _render_fence(renderer, tokens, idx, options, env):
    token = tokens[idx]
    language = (token.info or "").strip().split(maxsplit=1)[0].lower() if token.info else ""
    if language not in PLAIN_LANGUAGES:
        try:
            lexer = get_lexer_by_name(language)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            code = highlight(token.content, lexer, _FORMATTER)
            return f'<pre class="code"><code class="highlight language-{html.escape(language)}">{code}</code></pre>\n'
    return f'<pre class="diagram"><code>{html.escape(token.content)}</code></pre>\n'


def _parser():
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    return md


_MD = _parser()


def _render_uncached(source):
    tokens = _MD.parse(source)
    toc, taken = [], set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            title = "".join(child.content for child in tokens[index + 1].children or [] if child.type in ("text", "code_inline"))
            anchor = _slugify(title, taken)
            token.attrSet("id", anchor)
            toc.append({"level": int(token.tag[1]), "id": anchor, "title": title})
    raw = _MD.renderer.render(tokens, _MD.options, {})
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Rendered(html=clean, toc=toc, toc_html=_toc_html(toc))


def content_hash(source):
    """Return the hash that keys the cached rendering of ``source``."""
    return hashlib.sha256(f"v{RENDERER_VERSION}\0{source}".encode()).hexdigest()


def render_markdown(source):
    """Return the sanitized HTML and table of contents of ``source``, from the cache when possible."""
    key = f"lesson-render:{content_hash(source)}"
    cached = cache.get(key)
    if cached is not None:
        return Rendered(html=cached["html"], toc=cached["toc"], toc_html=cached["toc_html"])
    rendered = _render_uncached(source)
    cache.set(key, {"html": rendered.html, "toc": rendered.toc, "toc_html": rendered.toc_html}, CACHE_SECONDS)
    return rendered


def pygments_css():
    """Return the stylesheet for highlighted code (served as a static file)."""
    return _FORMATTER.get_style_defs(".highlight")
