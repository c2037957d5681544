"""Who may see which course and lesson: drafts are for instructors, Pro bodies for Pro members."""


def sees_drafts(user):
    """Return True for those who author content (instructors, staff, superusers)."""
    return bool(user and user.is_authenticated and user.is_instructor)


def has_pro_access(user):
    """Return True for Pro members and for those who author Pro content."""
    return bool(user and user.is_authenticated and (user.is_pro or user.is_instructor))


def course_is_visible(course, user):
    return course.published or sees_drafts(user)


def lesson_is_visible(lesson, user):
    """Return True if ``user`` may know the lesson exists (its title and summary)."""
    return (lesson.published and lesson.course.published) or sees_drafts(user)


def lesson_is_unlocked(lesson, user):
    """Return True if ``user`` may read the lesson's body."""
    return not lesson.is_pro or has_pro_access(user)
