"""Teacher accounts, opened and changed by admins."""

from django.db import transaction
from rest_framework.exceptions import ValidationError

from accounts.models import User
from accounts.services import member_account_create, member_account_update
from schools.models import School, SchoolClass

from .models import Teacher


def _classes_check(*, schools: list[School], classes: list[SchoolClass]) -> None:
    school_ids = {school.pk for school in schools}
    strays = [school_class.name for school_class in classes if school_class.school_id not in school_ids]
    if strays:
        raise ValidationError({"class_ids": [f"Not a class of the teacher's schools: {', '.join(strays)}."]})


@transaction.atomic
def teacher_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    phone: str = "",
    subject: str = "Computing",
    schools: list[School] = (),
    classes: list[SchoolClass] = (),
) -> Teacher:
    _classes_check(schools=list(schools), classes=list(classes))
    user = member_account_create(
        email=email, role=User.Role.TEACHER, password=password, first_name=first_name, last_name=last_name, phone=phone
    )
    teacher = Teacher.objects.create(user=user, subject=subject)
    teacher.schools.set(schools)
    teacher.classes.set(classes)
    return teacher


@transaction.atomic
def teacher_update(
    *,
    teacher: Teacher,
    schools: list[School] | None = None,
    classes: list[SchoolClass] | None = None,
    subject: str | None = None,
    **account_fields,
) -> Teacher:
    """Moving a teacher off a school also takes them off that school's classes."""
    if schools is not None:
        if classes is None:
            kept = {school.pk for school in schools}
            classes = [c for c in teacher.classes.all() if c.school_id in kept]
        teacher.schools.set(schools)
    if classes is not None:
        _classes_check(schools=list(teacher.schools.all()), classes=classes)
        teacher.classes.set(classes)
    if subject is not None:
        teacher.subject = subject
        teacher.save(update_fields=["subject"])
    member_account_update(user=teacher.user, **account_fields)
    return teacher
