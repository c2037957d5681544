"""Markdown rendering: diagrams intact, code highlighted, authors' HTML sanitized, a contents list, caching."""

import pytest

from lessons import rendering
from lessons.rendering import render_markdown

from .conftest import DIAGRAM_CHARS, reference_diagrams


def test_reference_diagrams_keep_every_character_and_line(db):
    diagrams = reference_diagrams()
    assert len(diagrams) == 2
    source = "\n\n".join(f"```text\n{d}\n```" for d in diagrams)
    html = render_markdown(source).html
    for char in DIAGRAM_CHARS:
        assert char in html, f"{char!r} lost in rendering"
    for diagram in diagrams:
        for line in diagram.splitlines():
            escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert escaped in html, f"diagram line changed: {line!r}"
    assert html.count('<pre class="diagram">') == 2


def test_a_fence_without_language_is_a_verbatim_monospace_block():
    html = render_markdown("```\n  a  <b>\n```\n").html
    assert html == '<pre class="diagram"><code>  a  &lt;b&gt;\n</code></pre>\n'


def test_code_with_a_language_is_highlighted():
    html = render_markdown("```python\ndef f(x):\n    return x\n```\n").html
    assert '<span class="k">def</span>' in html
    assert 'class="highlight language-python"' in html


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        "[click](javascript:alert(1))",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_authors_html_is_sanitized(dangerous):
    html = render_markdown(f"Text\n\n{dangerous}\n").html.lower()
    assert "<script" not in html and "onerror" not in html and "href=\"javascript:" not in html and "url(javascript" not in html
    assert "<iframe" not in html and "style=" not in html


def test_headings_get_ids_and_a_table_of_contents():
    rendered = render_markdown("## One\n\ntext\n\n### One point five\n\n## One\n\n#### Deep\n")
    assert rendered.toc == [
        {"level": 2, "id": "one", "title": "One"},
        {"level": 3, "id": "one-point-five", "title": "One point five"},
        {"level": 2, "id": "one-2", "title": "One"},
    ]
    assert '<h2 id="one">One</h2>' in rendered.html and '<h2 id="one-2">One</h2>' in rendered.html
    assert rendered.toc_html == (
        '<li class="toc-2"><a href="#one">One</a></li>'
        '<li class="toc-3"><a href="#one-point-five">One point five</a></li>'
        '<li class="toc-2"><a href="#one-2">One</a></li>'
    )


def test_table_of_contents_html_escapes_heading_text():
    rendered = render_markdown("## Sizes `a<b` & \\<script\\>\n\ntext\n")
    assert "<script" not in rendered.toc_html
    assert rendered.toc_html == f'<li class="toc-2"><a href="#{rendered.toc[0]["id"]}">Sizes a&lt;b &amp; &lt;script&gt;</a></li>'


def test_rendering_is_cached_by_content_hash(monkeypatch):
    calls = []
    real = rendering._render_uncached
    monkeypatch.setattr(rendering, "_render_uncached", lambda source: calls.append(source) or real(source))
    first = render_markdown("## Cached\n\nbody\n")
    second = render_markdown("## Cached\n\nbody\n")
    assert first == second
    assert len(calls) == 1
    render_markdown("## Cached\n\nchanged body\n")
    assert len(calls) == 2
