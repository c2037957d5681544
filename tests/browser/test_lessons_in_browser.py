"""A learner reads the demo lesson in a real browser, diagrams intact, and unlocks a Pro lesson with a code."""

from datetime import timedelta

from django.utils import timezone

from accounts import services as account_services

DIAGRAM_CHARS = ["┌", "─", "╲", "►", "₁", "Σ", "σ"]


def test_lesson_page_shows_the_diagrams_intact(live_server, page, phone_page, screenshot, demo_course):
    url = f"{live_server.url}/lessons/artificial-neural-networks/"
    page.goto(url)
    assert page.title() == "Neural Networks Basics · Labs ICT"
    diagrams = page.locator("pre.diagram")
    assert diagrams.count() >= 2
    text = "\n".join(diagrams.all_inner_texts())
    for char in DIAGRAM_CHARS:
        assert char in page.inner_text("article"), f"{char!r} missing from the page"
    # Every line of a box diagram has the same width in the monospace font the browser used.
    widths = page.evaluate(
        """() => {
            const pre = document.querySelector('pre.diagram');
            const canvas = document.createElement('canvas').getContext('2d');
            const style = getComputedStyle(pre);
            canvas.font = style.fontSize + ' ' + style.fontFamily;
            return pre.innerText.split('\\n').filter(l => l.trim().startsWith('│')).map(l => Math.round(canvas.measureText(l.trimEnd()).width));
        }"""
    )
    assert len(widths) > 5 and len(set(widths)) == 1, widths
    assert "┌" in text
    shot = screenshot(page, "lesson-laptop")
    assert shot.stat().st_size > 20_000
    phone_page.goto(url)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert screenshot(phone_page, "lesson-phone").stat().st_size > 20_000


def test_a_student_hits_the_pro_lock_redeems_a_code_and_reads_the_pro_lesson(live_server, page, screenshot, demo_course, django_user_model):
    student = django_user_model.objects.create_user("reader", password="reading-pass-1")
    teacher = django_user_model.objects.create_user("teacher", password="x", role="instructor")
    account_services.pro_code_create(created_by=teacher, days=30, code="BROWSER-PRO",
                                     expires_at=timezone.now() + timedelta(days=1))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "reading-pass-1")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/courses/neural-networks-basics/")
    assert "LockedPro" in page.inner_text("main").replace(" ", "").replace("\n", "")
    page.click("text=Training in Practice")
    assert page.locator("[data-testid=pro-lock]").is_visible()
    screenshot(page, "pro-lock")
    page.click("text=Redeem a Pro code")
    page.fill("#id_code", "browser-pro")
    page.click("main button[type=submit]")
    assert "Pro is active until" in page.inner_text("main")
    page.goto(f"{live_server.url}/lessons/training-in-practice/")
    assert page.locator("[data-testid=pro-lock]").count() == 0
    assert page.locator("article .prose h2").count() >= 3
    screenshot(page, "pro-lesson")
    student.refresh_from_db()
    assert student.is_pro
