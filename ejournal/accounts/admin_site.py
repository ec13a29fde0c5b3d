"""The Django admin with ejournal's sign-in.

The admin's own login form would open a session straight after the password, skipping
the two-factor code and the forced change of a one-time password: its login page sends
to ours, which comes back to the admin afterwards.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse


class EjournalAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        target = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class EjournalAdminConfig(AdminConfig):
    default_site = "ejournal.accounts.admin_site.EjournalAdminSite"
