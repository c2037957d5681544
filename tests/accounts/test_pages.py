"""Account pages: sign up, log in, log out, profile, password change and reset."""

from django.core import mail
from django.urls import reverse

from accounts.models import User


def test_every_page_has_pro_login_in_the_header(client, db):
    page = client.get(reverse("home")).content.decode()
    assert '<meta charset="utf-8">' in page
    assert ">Pro Login<" in page


def test_signup_creates_a_student_and_logs_them_in(client, db):
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "email": "n@example.com", "password1": "a-long-pass-42", "password2": "a-long-pass-42"},
        follow=True,
    )
    user = User.objects.get(username="newbie")
    assert user.role == User.Role.STUDENT and not user.is_staff
    assert response.context["user"] == user
    assert "Welcome, newbie" in response.content.decode()


def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nobody(client, db):
    response = client.post(
        reverse("signup"), {"username": "newbie", "password1": "a-long-pass-42", "password2": "other-pass-42"}
    )
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_signup_with_a_taken_username_is_refused(client, student):
    response = client.post(
        reverse("signup"), {"username": "student", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
    )
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username="student").count() == 1


def test_login_page_logs_in_and_redirects_to_profile(client, student):
    response = client.post(reverse("login"), {"username": "student", "password": "s3cret-pass!"})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert client.get(reverse("profile")).context["user"] == student


def test_login_with_a_wrong_password_says_so(client, student):
    response = client.post(reverse("login"), {"username": "student", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_page_blocks_after_repeated_failures(client, student, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        client.post(reverse("login"), {"username": "student", "password": "nope"})
    response = client.post(reverse("login"), {"username": "student", "password": "s3cret-pass!"})
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, student):
    client.force_login(student)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 302  # back to the login page


def test_profile_shows_role_and_pro_expiry(client, pro_student):
    client.force_login(pro_student)
    page = client.get(reverse("profile")).content.decode()
    assert "Student" in page
    assert f"Active until {pro_student.pro_until:%Y-%m-%d}" in page


def test_profile_of_a_lapsed_member_says_expired(client, make_user):
    user = make_user("lapsed", pro_days=-2)
    client.force_login(user)
    assert "Expired on" in client.get(reverse("profile")).content.decode()


def test_profile_requires_login(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change(client, student):
    client.force_login(student)
    response = client.post(
        reverse("password_change"),
        {"old_password": "s3cret-pass!", "new_password1": "brand-new-pass-9", "new_password2": "brand-new-pass-9"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("brand-new-pass-9")


def test_password_reset_sends_a_link_that_sets_a_new_password(client, make_user):
    user = make_user("forgetful", email="f@example.com")
    client.post(reverse("password_reset"), {"email": "f@example.com"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line).strip()
    path = link[link.index("/accounts/"):]
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "reset-pass-777", "new_password2": "reset-pass-777"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-pass-777")


def test_instructors_and_staff_reach_the_admin_but_students_do_not(client, student, instructor):
    client.force_login(student)
    assert client.get("/admin/").status_code == 302
    client.force_login(instructor)
    assert client.get("/admin/").status_code == 200
