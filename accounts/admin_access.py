"""Who may use which part of the admin, by role: one mixin for model admins and inlines alike."""

from django.contrib import admin


class RoleAccess:
    """Open an admin (or inline) to the active users that ``allowed(user)`` accepts, for every action."""

    @staticmethod
    def allowed(user):
        raise NotImplementedError

    def has_module_permission(self, request):
        return request.user.is_active and self.allowed(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class InstructorAccess(RoleAccess):
    """Instructors, staff and superusers: those who author content."""

    allowed = staticmethod(lambda user: user.is_instructor)


class InstructorAdmin(InstructorAccess, admin.ModelAdmin):
    """A model admin for authors."""


class StaffOnlyAdmin(RoleAccess, admin.ModelAdmin):
    """A model admin for staff and superusers; only superusers delete."""

    allowed = staticmethod(lambda user: user.is_staff_member)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
