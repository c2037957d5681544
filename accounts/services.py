"""Everything that changes accounts: sign-up, Pro grants, Pro codes and their redemption."""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ProCode, ProCodeRedemption, User

# Letters and digits that cannot be mistaken for one another when read aloud or typed from paper.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ProCodeError(Exception):
    """A Pro code could not be redeemed or created; ``code`` names why, the message says it to a person."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def pro_code_normalise(raw):
    """Return the canonical form of a typed code: upper case, spaces removed."""
    return "".join(str(raw).split()).upper()


def _pro_code_generate():
    groups = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


def pro_code_create(*, created_by, days, max_uses=1, expires_at, code=None):
    """Create a Pro code worth ``days`` of Pro for up to ``max_uses`` users until ``expires_at``."""
    if days < 1:
        raise ProCodeError("invalid_days", "A Pro code must grant at least 1 day.")
    if max_uses < 1:
        raise ProCodeError("invalid_max_uses", "A Pro code must allow at least 1 use.")
    if expires_at <= timezone.now():
        raise ProCodeError("invalid_expiry", "The expiry date must be in the future.")
    text = pro_code_normalise(code) if code else _pro_code_generate()
    if code and not (4 <= len(text) <= 32 and all(ch.isalnum() or ch == "-" for ch in text)):
        raise ProCodeError("invalid_code", "A code is 4 to 32 letters, digits or dashes.")
    try:
        with transaction.atomic():
            return ProCode.objects.create(
                code=text, days=days, max_uses=max_uses, expires_at=expires_at, created_by=created_by
            )
    except IntegrityError:
        raise ProCodeError("code_taken", f"The code {text} already exists; choose another.") from None


def pro_extend(*, user, days, now=None):
    """Extend ``user``'s Pro by ``days``: from its current end if it still runs, else from now."""
    now = now or timezone.now()
    start = user.pro_until if user.pro_until and user.pro_until > now else now
    user.pro_until = start + timedelta(days=days)
    user.save(update_fields=["pro_until"])
    return user.pro_until


@transaction.atomic
def pro_code_redeem(*, user, code):
    """Redeem ``code`` for ``user`` and return the redemption; raise ProCodeError and change nothing if not allowed."""
    text = pro_code_normalise(code)
    if not text:
        raise ProCodeError("missing_code", "Enter a Pro code.")
    # Lock the code row so two redemptions of its last use cannot both succeed.
    pro_code = ProCode.objects.select_for_update().filter(code=text).first()
    if pro_code is None:
        raise ProCodeError("unknown_code", f"There is no Pro code {text}; check it for typos.")
    if ProCodeRedemption.objects.filter(code=pro_code, user=user).exists():
        raise ProCodeError("already_redeemed", f"You have already redeemed the code {text}.")
    if pro_code.is_expired:
        raise ProCodeError("expired", f"The code {text} expired on {pro_code.expires_at:%Y-%m-%d}.")
    if pro_code.uses >= pro_code.max_uses:
        raise ProCodeError("used_up", f"The code {text} has already been used the maximum number of times.")
    locked_user = User.objects.select_for_update().get(pk=user.pk)
    pro_until = pro_extend(user=locked_user, days=pro_code.days)
    ProCode.objects.filter(pk=pro_code.pk).update(uses=F("uses") + 1)
    redemption = ProCodeRedemption.objects.create(code=pro_code, user=locked_user, pro_until_after=pro_until)
    user.pro_until = pro_until
    return redemption


def user_create(*, username, password, email="", role=User.Role.STUDENT):
    """Create a user with a hashed password."""
    user = User(username=username, email=email, role=role)
    user.set_password(password)
    user.save()
    return user
