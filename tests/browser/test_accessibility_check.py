"""The axe-core check the journeys use can fail, and says what to fix when it does."""

import pytest

PAGE_WITH_PROBLEMS = """<!DOCTYPE html><html lang="en"><head><title>Problems</title></head><body><main>
<h1>A form nobody can fill in with a screen reader</h1>
<input type="text" id="nameless">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Pale grey on white</p>
</main></body></html>"""


def test_the_check_lists_each_serious_violation_with_its_impact_and_nodes(page, assert_accessible):
    page.set_content(PAGE_WITH_PROBLEMS)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "sample")
    message = str(failure.value)
    assert "axe-core found serious or critical violations on the sample page" in message
    lines = message.splitlines()
    assert any(line.startswith("  label (critical):") and line.endswith("nodes: #nameless") for line in lines), message
    assert any(line.startswith("  image-alt (critical):") and line.endswith("nodes: img") for line in lines), message
    assert any(line.startswith("  color-contrast (serious):") and line.endswith("nodes: p") for line in lines), message


def test_the_check_passes_a_page_without_problems(page, assert_accessible):
    page.set_content('<!DOCTYPE html><html lang="en"><head><title>Fine</title></head><body><main><h1>Fine</h1>'
                     '<label for="name">Name</label><input type="text" id="name"></main></body></html>')
    assert_accessible(page, "clean")
