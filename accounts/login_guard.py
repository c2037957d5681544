"""Count failed logins per account and per client address, and refuse further tries past a limit.

Used by the token endpoint and the login page alike. Counters live in the cache (Redis in production,
so every web process sees the same counts) and expire after the window.
"""

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """Return the client's address as the proxy in front of us reports it, else the socket peer."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(username, address):
    return (f"login-fail:user:{str(username).strip().lower()[:150]}", f"login-fail:addr:{address}")


def login_blocked(*, username, address):
    """Return the seconds to wait if this account or address has failed too often, else 0."""
    user_key, addr_key = _keys(username, address)
    counts = cache.get_many([user_key, addr_key])
    if (
        counts.get(user_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
        or counts.get(addr_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    ):
        return settings.LOGIN_FAILURE_WINDOW_SECONDS
    return 0


def login_failed(*, username, address):
    """Record one failed login for the account and the address."""
    for key in _keys(username, address):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_succeeded(*, username):
    """Forget the account's failures after a successful login."""
    cache.delete(_keys(username, "")[0])
