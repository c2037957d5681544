"""Accounts API routes, mounted under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh/", api.TokenRefreshRotateView.as_view(), name="api-token-refresh"),
    path("auth/logout/", api.LogoutView.as_view(), name="api-logout"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("pro-codes/", api.ProCodeListCreateView.as_view(), name="api-pro-codes"),
    path("pro-codes/redeem/", api.ProCodeRedeemView.as_view(), name="api-pro-code-redeem"),
]
