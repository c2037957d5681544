"""Token login for API clients: short-lived access tokens and rotating, revocable refresh tokens.

Built on djangorestframework-simplejwt. Its blacklist app stores every issued token's full text; we
store nothing at issue time and, on revocation or rotation, only the token's id (``jti``) and expiry,
so the database never holds a usable token.
"""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .models import RevokedToken


class RevocableRefreshToken(RefreshToken):
    """A refresh token that is refused once its ``jti`` is recorded as revoked."""

    def verify(self):
        super().verify()
        if RevokedToken.objects.filter(jti=self[api_settings.JTI_CLAIM]).exists():
            raise TokenError("Token has been revoked; log in again.")

    def revoke(self):
        """Record this token as revoked; return False if it already was."""
        user_id = self.payload.get(api_settings.USER_ID_CLAIM)
        expires_at = datetime.fromtimestamp(self["exp"], tz=UTC)
        try:
            with transaction.atomic():
                RevokedToken.objects.create(jti=self[api_settings.JTI_CLAIM], user_id=user_id, expires_at=expires_at)
        except IntegrityError:
            return False
        return True


def tokens_for(user):
    """Return a fresh ``{"access", "refresh"}`` pair for ``user``."""
    refresh = RevocableRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RevocableTokenRefreshSerializer(TokenRefreshSerializer):
    """Exchange a refresh token for a new access token and a new refresh token; the old one is revoked.

    Revoking on use means a stolen refresh token works at most once, and its reuse after the owner
    refreshed is refused.
    """

    token_class = RevocableRefreshToken

    def validate(self, attrs):
        old = self.token_class(attrs["refresh"])
        user_id = old.payload.get(api_settings.USER_ID_CLAIM)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}, is_active=True).first()
        if user is None:
            raise TokenError("The account of this token no longer exists or is disabled.")
        if not old.revoke():
            raise TokenError("Token has been revoked; log in again.")
        return tokens_for(user)
