"""A learner trains the spirals assignment in the lab in a real browser and watches it finish with a grade."""

import pytest

pytestmark = pytest.mark.worker


def test_a_student_trains_the_spirals_and_sees_progress_boundary_and_grade(
        live_server, page, screenshot, demo_course, celery_worker_process, django_user_model):
    django_user_model.objects.create_user("trainer", password="training-pass-1")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "trainer")
    page.fill("#id_password", "training-pass-1")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/lessons/artificial-neural-networks/")
    page.click("text=Separate the spirals")
    page.fill("#id_units_0", "32")
    page.select_option("#id_activation_0", "tanh")
    page.fill("#id_units_1", "32")
    page.select_option("#id_activation_1", "tanh")
    page.fill("#id_epochs", "300")
    page.fill("#id_batch_size", "4")  # a run of several seconds, so the page shows the bar between its polls
    page.fill("#id_learning_rate", "0.005")
    screenshot(page, "lab-form")
    page.click("main button[type=submit]")
    assert "/lab/jobs/" in page.url
    seen = set()
    for _ in range(400):
        status = page.inner_text("[data-testid=job-status]")
        if status == "Running":
            seen.add(page.get_attribute("[role=progressbar]", "aria-valuenow"))
        if status in ("Succeeded", "Failed"):
            break
        page.wait_for_timeout(100)
    assert status == "Succeeded", page.inner_text("main")
    assert len(seen) >= 2, f"the progress bar never moved: {seen}"  # updated in place by the page's script
    assert page.locator("svg.boundary rect").count() > 10
    assert page.locator("svg.chart polyline").count() >= 2
    grade = page.inner_text("[data-testid=grade]")
    assert "Grade: 10 / 12" in grade and "passed" in grade
    screenshot(page, "lab-result")
