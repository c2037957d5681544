"""Site-wide pages that belong to no single app."""

from django.shortcuts import render


def home(request):
    """Show the front page."""
    return render(request, "home.html")
