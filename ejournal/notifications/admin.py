from django.contrib import admin

from ejournal.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only: for finding out why a family got no message."""

    list_display = ["created_at", "user", "channel", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "is_digest"]
    search_fields = ["user__username", "address", "subject"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
