"""A real browser for page tests: Playwright driving Debian's chromium package, headless.

Screenshots go to ``test-artifacts/`` at the top of the checkout (and, with DOCS_SCREENSHOTS=1, the journeys'
key pages to ``docs/screenshots/``); ``assert_accessible`` runs axe-core on a page.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run beside
    # one unless told that this (test-only) use is intended. Only while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Return a function that saves a full-page screenshot under test-artifacts/ and returns its path.

    With ``docs="name"`` and DOCS_SCREENSHOTS=1 in the environment it also saves the viewport (or the whole
    page, with ``docs_full_page=True``) as ``docs/screenshots/name.png``, the pictures the README shows, from
    the top of the page or from the element ``docs_scroll_to`` selects.
    """
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name, *, docs=None, docs_full_page=False, docs_scroll_to=None):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if docs and os.environ.get("DOCS_SCREENSHOTS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.evaluate("""selector => {
                const target = selector && document.querySelector(selector);
                window.scrollTo(0, target ? target.getBoundingClientRect().top + window.scrollY - 16 : 0);
            }""", docs_scroll_to)
            page.screenshot(path=str(DOCS_SCREENSHOTS / f"{docs}.png"), full_page=docs_full_page)
        return path

    return take


@pytest.fixture
def demo_course(transactional_db):
    from lessons.content_files import import_course_folder
    from lessons.demo import DEMO_COURSES

    report = import_course_folder(DEMO_COURSES[0])
    assert report.problems == []
    return report


AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page):
    """Run axe-core (from the npm registry, pinned in package-lock.json) on the page; return its violations."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: `make browser` installs it with npm ci"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )


@pytest.fixture
def assert_accessible():
    """Return a function asserting axe-core finds no serious or critical violation on the page.

    The failure message lists each violation's id, impact and target nodes.
    """

    def check(page, name):
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        report = "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']}; nodes: {', '.join(v['targets'][:10])}"
            + (f" and {len(v['targets']) - 10} more" if len(v["targets"]) > 10 else "")
            for v in blocking
        )
        if blocking:  # raised, not asserted, so the message stays exactly this list
            raise AssertionError(f"axe-core found serious or critical violations on the {name} page ({page.url}):\n{report}")

    return check
