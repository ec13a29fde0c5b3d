from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ejournal.accounts.models import Guardian, RoleAssignment, StaffMember, Student, User


@admin.register(User)
class EjournalUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Имя", {"fields": ("last_name", "first_name", "patronymic", "email")}),
        ("Доступ", {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password")}),
    )


admin.site.register(RoleAssignment)
admin.site.register(StaffMember)
admin.site.register(Student)
admin.site.register(Guardian)
