"""Account pages: sign up, profile, Pro code redemption (log in/out and passwords use Django's views)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import RedeemForm, SignupForm


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create a student account and log it in."""
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Your account is ready.")
        return redirect("profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    """Show the user's role, Pro status and plan limits."""
    return render(
        request,
        "accounts/profile.html",
        {"plan": selectors.plan_limits(user=request.user), "redeem_form": RedeemForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request):
    """Redeem a Pro code from a form."""
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.pro_code_redeem(user=request.user, code=form.cleaned_data["code"])
        except services.ProCodeError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, f"Pro is active until {redemption.pro_until_after:%Y-%m-%d %H:%M} UTC.")
            return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/redeem.html", {"form": form}, status=status)
