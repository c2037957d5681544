"""Role and ownership permission classes that every app's API reuses."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.permissions import IsInstructor, IsOwner, IsOwnerOrInstructorReadOnly, IsPro, IsStaffMember


def _request(user, method="GET"):
    return SimpleNamespace(user=user, method=method)


@pytest.mark.parametrize(
    ("who", "may_author", "may_manage", "may_use_pro"),
    [
        ("anonymous", False, False, False),
        ("student", False, False, False),
        ("pro_student", False, False, True),
        ("instructor", True, False, True),
        ("staff", True, True, True),
    ],
)
def test_role_permissions(request, db, who, may_author, may_manage, may_use_pro):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert IsInstructor().has_permission(_request(user), None) is may_author
    assert IsStaffMember().has_permission(_request(user), None) is may_manage
    assert IsPro().has_permission(_request(user), None) is may_use_pro


def test_owner_permission_compares_the_owner_field(student, other_student):
    thing = SimpleNamespace(user_id=student.pk)
    view = SimpleNamespace()
    assert IsOwner().has_object_permission(_request(student), view, thing) is True
    assert IsOwner().has_object_permission(_request(other_student), view, thing) is False


def test_owner_field_can_be_named_by_the_view(student, other_student):
    thing = SimpleNamespace(author_id=other_student.pk)
    view = SimpleNamespace(owner_field="author")
    assert IsOwner().has_object_permission(_request(other_student), view, thing) is True
    assert IsOwner().has_object_permission(_request(student), view, thing) is False


def test_instructors_read_but_do_not_change_others_objects(student, instructor):
    thing = SimpleNamespace(user_id=student.pk)
    view = SimpleNamespace()
    permission = IsOwnerOrInstructorReadOnly()
    assert permission.has_object_permission(_request(instructor, "GET"), view, thing) is True
    assert permission.has_object_permission(_request(instructor, "PATCH"), view, thing) is False


def test_role_keeps_admin_access_in_step(make_user):
    user = make_user("promoted")
    assert user.is_staff is False
    user.role = "instructor"
    user.save()
    assert user.is_staff is True
    user.role = "student"
    user.save()
    assert user.is_staff is False
