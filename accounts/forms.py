"""Forms for the account pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from . import login_guard
from .models import User


class SignupForm(UserCreationForm):
    """Sign up as a student with a username, an optional e-mail and a password."""

    email = forms.EmailField(required=False, help_text="Optional; needed to reset a forgotten password.")

    class Meta:
        model = User
        fields = ("username", "email")


class GuardedLoginForm(AuthenticationForm):
    """The login form, refusing further tries after repeated failures for one account or address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "too_many": "Too many failed logins; try again in %(minutes)d minutes.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = login_guard.client_address(self.request) if self.request else "unknown"
        wait = login_guard.login_blocked(username=username, address=address)
        if wait:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"minutes": max(1, wait // 60)}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_guard.login_failed(username=username, address=address)
            raise
        login_guard.login_succeeded(username=username)
        return cleaned


class RedeemForm(forms.Form):
    """Type a Pro code."""

    code = forms.CharField(max_length=64, label="Pro code")
