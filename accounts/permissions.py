"""Permission classes shared by every app's API."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsInstructor(BasePermission):
    """Allow instructors, staff and superusers."""

    message = "Only instructors can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_instructor)


class IsStaffMember(BasePermission):
    """Allow staff and superusers."""

    message = "Only staff can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff_member)


class IsPro(BasePermission):
    """Allow users whose Pro membership runs (instructors and staff too: they author Pro content)."""

    message = "This needs a Pro membership; redeem a Pro code on your profile page."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_pro or user.is_instructor))


class IsOwner(BasePermission):
    """Allow access to an object only to the user it belongs to (``owner_field``, default ``user``)."""

    message = "This belongs to another user."

    def has_object_permission(self, request, view, obj):
        owner_field = getattr(view, "owner_field", "user")
        return getattr(obj, f"{owner_field}_id") == request.user.pk


class IsOwnerOrInstructorReadOnly(IsOwner):
    """Allow the owner everything, and instructors to read."""

    def has_object_permission(self, request, view, obj):
        if super().has_object_permission(request, view, obj):
            return True
        return request.method in SAFE_METHODS and request.user.is_instructor
