"""Admin for users (roles, Pro grants) and Pro codes."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .admin_access import InstructorAdmin, StaffOnlyAdmin
from .models import ProCode, ProCodeRedemption, RevokedToken, User


@admin.register(User)
class UserAdmin(StaffOnlyAdmin, BaseUserAdmin):
    list_display = ("username", "email", "role", "pro_until", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "email")
    fieldsets = BaseUserAdmin.fieldsets + (("Role and Pro", {"fields": ("role", "pro_until")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Role", {"fields": ("role",)}),)
    actions = ["grant_pro_30_days", "grant_pro_365_days"]

    def _grant(self, request, queryset, days):
        for user in queryset:
            services.pro_extend(user=user, days=days)
        self.message_user(request, f"Extended Pro by {days} days for {queryset.count()} users.", messages.SUCCESS)

    @admin.action(description="Grant or extend Pro by 30 days")
    def grant_pro_30_days(self, request, queryset):
        self._grant(request, queryset, 30)

    @admin.action(description="Grant or extend Pro by 365 days")
    def grant_pro_365_days(self, request, queryset):
        self._grant(request, queryset, 365)


class RedemptionInline(admin.TabularInline):
    model = ProCodeRedemption
    extra = 0
    readonly_fields = ("user", "redeemed_at", "pro_until_after")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProCode)
class ProCodeAdmin(InstructorAdmin):
    list_display = ("code", "days", "uses", "max_uses", "expires_at", "created_by")
    search_fields = ("code",)
    readonly_fields = ("uses", "created_by", "created_at")
    inlines = [RedemptionInline]

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or request.user.is_staff_member or obj.created_by_id == request.user.pk

    has_delete_permission = has_change_permission

    def get_queryset(self, request):
        codes = super().get_queryset(request).select_related("created_by")
        return codes if request.user.is_staff_member else codes.filter(created_by=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.code = services.pro_code_normalise(obj.code)
        super().save_model(request, obj, form, change)


@admin.register(RevokedToken)
class RevokedTokenAdmin(StaffOnlyAdmin):
    list_display = ("jti", "user", "revoked_at", "expires_at")
    readonly_fields = ("jti", "user", "revoked_at", "expires_at")

    def has_add_permission(self, request):
        return False
