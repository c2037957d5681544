"""Pro codes: creating and redeeming them, every refusal, through the service, the API and the page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import status

from accounts import services
from accounts.models import ProCode, ProCodeRedemption


@pytest.fixture
def code(instructor):
    return services.pro_code_create(
        created_by=instructor, days=30, max_uses=2, expires_at=timezone.now() + timedelta(days=10), code="SPRING-2026"
    )


def _state(user, pro_code):
    user.refresh_from_db()
    pro_code.refresh_from_db()
    return user.pro_until, pro_code.uses, ProCodeRedemption.objects.count()


def test_redeeming_a_code_grants_its_days_of_pro(student, code):
    before = timezone.now()
    redemption = services.pro_code_redeem(user=student, code="spring-2026")
    student.refresh_from_db()
    assert student.is_pro
    assert timedelta(days=30) <= student.pro_until - before < timedelta(days=30, seconds=30)
    assert redemption.pro_until_after == student.pro_until
    code.refresh_from_db()
    assert code.uses == 1


def test_redeeming_extends_a_running_membership_from_its_end(pro_student, code):
    end_before = pro_student.pro_until
    services.pro_code_redeem(user=pro_student, code=code.code)
    pro_student.refresh_from_db()
    assert pro_student.pro_until == end_before + timedelta(days=30)


def test_redeeming_twice_is_refused_and_changes_nothing(student, code):
    services.pro_code_redeem(user=student, code=code.code)
    before = _state(student, code)
    with pytest.raises(services.ProCodeError) as error:
        services.pro_code_redeem(user=student, code=code.code)
    assert error.value.code == "already_redeemed"
    assert "already redeemed" in error.value.message
    assert _state(student, code) == before


def test_an_expired_code_is_refused_and_changes_nothing(student, code):
    ProCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    before = _state(student, code)
    with pytest.raises(services.ProCodeError) as error:
        services.pro_code_redeem(user=student, code=code.code)
    assert error.value.code == "expired"
    assert "expired" in error.value.message
    assert _state(student, code) == before
    assert student.pro_until is None


def test_a_used_up_code_is_refused_and_changes_nothing(make_user, student, code):
    services.pro_code_redeem(user=make_user("first"), code=code.code)
    services.pro_code_redeem(user=make_user("second"), code=code.code)
    before = _state(student, code)
    with pytest.raises(services.ProCodeError) as error:
        services.pro_code_redeem(user=student, code=code.code)
    assert error.value.code == "used_up"
    assert _state(student, code) == before
    assert before[1] == 2


def test_a_wrong_code_is_refused_and_names_the_code(student, code):
    with pytest.raises(services.ProCodeError) as error:
        services.pro_code_redeem(user=student, code="NOPE-0000")
    assert error.value.code == "unknown_code"
    assert "NOPE-0000" in error.value.message
    student.refresh_from_db()
    assert student.pro_until is None


def test_a_generated_code_is_three_groups_of_unambiguous_characters(instructor):
    made = services.pro_code_create(created_by=instructor, days=7, expires_at=timezone.now() + timedelta(days=1))
    groups = made.code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4]
    assert not set(made.code) & set("01IO")


@pytest.mark.parametrize(
    ("fields", "error_code"),
    [({"days": 0}, "invalid_days"), ({"max_uses": 0}, "invalid_max_uses"), ({"expires_in": -1}, "invalid_expiry"),
     ({"code": "a b"}, "invalid_code")],
)
def test_creating_a_bad_code_is_refused(instructor, fields, error_code):
    expires_at = timezone.now() + timedelta(days=fields.pop("expires_in", 1))
    kwargs = {"days": 7, "max_uses": 1, "expires_at": expires_at, **fields}
    with pytest.raises(services.ProCodeError) as error:
        services.pro_code_create(created_by=instructor, **kwargs)
    assert error.value.code == error_code
    assert ProCode.objects.count() == 0


def test_api_redeem_returns_the_new_expiry(api_as, student, code):
    response = api_as(student).post("/api/v1/pro-codes/redeem/", {"code": code.code}, format="json")
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["is_pro"] is True
    student.refresh_from_db()
    assert response.json()["pro_until"].startswith(student.pro_until.strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize(
    ("setup", "error_code"),
    [("twice", "already_redeemed"), ("expired", "expired"), ("used_up", "used_up"), ("wrong", "unknown_code")],
)
def test_api_redeem_refusals_are_400_with_a_clear_message(api_as, make_user, student, code, setup, error_code):
    submitted = code.code
    if setup == "twice":
        services.pro_code_redeem(user=student, code=code.code)
    elif setup == "expired":
        ProCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(days=1))
    elif setup == "used_up":
        ProCode.objects.filter(pk=code.pk).update(uses=2)
    else:
        submitted = "WRONG-CODE"
    before = _state(student, code)
    response = api_as(student).post("/api/v1/pro-codes/redeem/", {"code": submitted}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["code"] == error_code
    assert len(response.json()["detail"]) > 10
    assert _state(student, code) == before


def test_api_redeem_without_a_code_names_the_field(api_as, student):
    response = api_as(student).post("/api/v1/pro-codes/redeem/", {}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert list(response.json()["errors"]) == ["code"]


def test_anonymous_cannot_redeem(api_client, code):
    response = api_client.post("/api/v1/pro-codes/redeem/", {"code": code.code}, format="json")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_instructor_creates_and_lists_codes(api_as, instructor):
    client = api_as(instructor)
    expires = (timezone.now() + timedelta(days=5)).isoformat()
    created = client.post("/api/v1/pro-codes/", {"days": 14, "max_uses": 3, "expires_at": expires}, format="json")
    assert created.status_code == status.HTTP_201_CREATED
    assert created.json()["days"] == 14 and created.json()["max_uses"] == 3 and created.json()["uses"] == 0
    listed = client.get("/api/v1/pro-codes/")
    assert [row["code"] for row in listed.json()] == [created.json()["code"]]


def test_instructor_sees_only_their_own_codes_but_staff_sees_all(api_as, instructor, make_user, staff, code):
    other = make_user("teacher2", role="instructor")
    assert api_as(other).get("/api/v1/pro-codes/").json() == []
    assert [row["code"] for row in api_as(staff).get("/api/v1/pro-codes/").json()] == ["SPRING-2026"]


def test_creating_a_code_with_a_taken_name_is_400_on_the_code_field(api_as, instructor, code):
    expires = (timezone.now() + timedelta(days=5)).isoformat()
    response = api_as(instructor).post(
        "/api/v1/pro-codes/", {"days": 1, "expires_at": expires, "code": "spring-2026"}, format="json"
    )
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert "code" in response.json()["errors"]
    assert ProCode.objects.count() == 1


def test_student_cannot_create_codes(api_as, student):
    expires = (timezone.now() + timedelta(days=5)).isoformat()
    response = api_as(student).post("/api/v1/pro-codes/", {"days": 14, "expires_at": expires}, format="json")
    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert ProCode.objects.count() == 0


def test_redeem_page_grants_pro_and_redirects_to_profile(client, student, code):
    client.force_login(student)
    response = client.post(reverse("redeem"), {"code": code.code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Active until" in response.content.decode()


def test_redeem_page_shows_the_refusal_and_changes_nothing(client, student, code):
    ProCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(student)
    response = client.post(reverse("redeem"), {"code": code.code})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    student.refresh_from_db()
    assert student.pro_until is None
