from django.contrib import admin

from ejournal.oidc.models import OidcLink, PersonIdentity


@admin.register(PersonIdentity)
class PersonIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "snils", "birth_date")
    search_fields = ("user__username", "user__last_name", "snils")
    raw_id_fields = ("user",)


@admin.register(OidcLink)
class OidcLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "subject", "last_sign_in_at", "last_acr")
    search_fields = ("user__username", "user__last_name", "subject")
    raw_id_fields = ("user",)
