"""Token login for API clients: obtain, refresh with rotation, revoke, expiry, throttling, storage."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from rest_framework import status
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import RevokedToken

PASSWORD = "s3cret-pass!"


def _obtain(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_obtain_returns_an_access_and_a_refresh_token(api_client, student):
    response = _obtain(api_client, "student")
    assert response.status_code == status.HTTP_200_OK
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert AccessToken(body["access"])["user_id"] == str(student.pk)


def test_access_token_lets_a_client_read_me(api_client, student):
    access = _obtain(api_client, "student").json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["username"] == "student"


def test_wrong_password_is_401_with_a_message(api_client, student):
    response = _obtain(api_client, "student", "wrong")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["detail"] == "Wrong username or password."


def test_missing_fields_are_named(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert list(response.json()["errors"]) == ["password"]


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api_client, student):
    first = _obtain(api_client, "student").json()
    refreshed = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert refreshed.status_code == status.HTTP_200_OK
    assert refreshed.json()["refresh"] != first["refresh"]
    reused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == status.HTTP_401_UNAUTHORIZED


def test_logout_revokes_the_refresh_token(api_client, student):
    pair = _obtain(api_client, "student").json()
    assert api_client.post("/api/v1/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 204
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert "revoked" in response.json()["detail"]


def test_logout_with_a_garbage_token_is_401(api_client):
    response = api_client.post("/api/v1/auth/logout/", {"refresh": "not.a.token"}, format="json")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_an_expired_access_token_is_401(api_client, student):
    token = AccessToken.for_user(student)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/api/v1/me/").status_code == status.HTTP_401_UNAUTHORIZED


def test_an_access_token_is_refused_as_a_refresh_token(api_client, student):
    access = _obtain(api_client, "student").json()["access"]
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": access}, format="json")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_access_tokens_are_short_lived(settings):
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] <= timedelta(minutes=15)


def test_no_token_text_is_stored_in_the_database(api_client, student):
    pair = _obtain(api_client, "student").json()
    rotated = api_client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").json()
    api_client.post("/api/v1/auth/logout/", {"refresh": rotated["refresh"]}, format="json")
    assert RevokedToken.objects.count() == 2
    secrets_ = [pair["access"], pair["refresh"], rotated["access"], rotated["refresh"]]
    signatures = [token.rsplit(".", 1)[1] for token in secrets_]
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            text_columns = [f.column for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")]
            for column in text_columns:
                cursor.execute(f'SELECT "{column}" FROM "{table}"')
                for (value,) in cursor.fetchall():
                    assert not any(sig in str(value) for sig in signatures), f"{table}.{column} holds a token"


def test_repeated_wrong_passwords_for_one_account_get_429(api_client, student, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        assert _obtain(api_client, "student", "wrong").status_code == status.HTTP_401_UNAUTHORIZED
    blocked = _obtain(api_client, "student")  # even the right password is refused now
    assert blocked.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert blocked.json()["retry_after_seconds"] > 0
    assert "Retry-After" in blocked.headers


def test_repeated_failures_from_one_address_get_429_across_accounts(api_client, make_user, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 4
    for index in range(4):
        assert _obtain(api_client, f"nobody{index}", "wrong").status_code == status.HTTP_401_UNAUTHORIZED
    make_user("fresh")
    assert _obtain(api_client, "fresh").status_code == status.HTTP_429_TOO_MANY_REQUESTS


def test_a_successful_login_clears_the_account_failures(api_client, student, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT - 1):
        _obtain(api_client, "student", "wrong")
    assert _obtain(api_client, "student").status_code == status.HTTP_200_OK
    assert _obtain(api_client, "student", "wrong").status_code == status.HTTP_401_UNAUTHORIZED
    assert _obtain(api_client, "student").status_code == status.HTTP_200_OK


@pytest.mark.parametrize("role", ["student", "instructor", "staff"])
def test_me_reports_role_pro_and_plan(api_as, make_user, role):
    user = make_user(f"u-{role}", role=role, pro_days=3 if role == "student" else None)
    body = api_as(user).get("/api/v1/me/").json()
    assert body["role"] == role
    assert body["is_pro"] is (role == "student")
    assert body["plan"]["name"] == ("pro" if role == "student" else "free")
    assert body["plan"]["max_epochs"] > 0


def test_me_after_pro_expired_is_free(api_as, make_user, settings):
    user = make_user("lapsed", pro_days=-1)
    body = api_as(user).get("/api/v1/me/").json()
    assert body["is_pro"] is False
    assert body["plan"] == {"name": "free", **settings.PLANS["free"]}


def test_me_requires_login(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["code"] == "not_authenticated"


def test_me_without_an_email_matches_the_schema(api_as, make_user):
    from tests.openapi import assert_documented

    response = api_as(make_user("no-mail", email="")).get("/api/v1/me/")
    assert response.json()["email"] == ""
    assert_documented(response, "GET", "/api/v1/me/")
