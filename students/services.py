"""Student sign-up and profile workflows, and student accounts opened and changed by admins."""

from django.db import transaction
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import OneTimeCode, User
from accounts.services import EmailUnavailable, member_account_create, member_account_update, otp_send, user_create
from schools.models import School, SchoolClass

from .models import Student


def student_profile_create(*, user, school_public_id: str | None = None, **fields) -> Student:
    school = None
    if school_public_id:
        school = School.objects.filter(school_id=school_public_id, is_active=True).first()
        if school is None:
            raise ValidationError({"school_id": ["Unknown school."]})
    return Student.objects.create(user=user, school=school, **fields)


def student_register(*, email: str, password: str, school_id: str | None = None, **fields) -> tuple[User, bool]:
    """The new student (account and profile), and whether their verification code was emailed.

    The account stands even when the mail server is down: the student is signed in
    and asks for a new code later (nothing was stored, so no resend cooldown applies).
    The email goes after commit, so no database lock is held while SMTP answers.
    """
    with transaction.atomic():
        user = user_create(email=email, password=password, role=User.Role.STUDENT, **fields)
        student_profile_create(user=user, school_public_id=school_id or None)
    try:
        otp_send(user=user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL)
    except EmailUnavailable:
        return user, False
    return user, True


def student_profile_for(*, user) -> Student:
    """The signed-in student's profile (made on first use). Teachers and admins previewing
    the app read a default profile that is never stored: a Student row would list them as
    learners on the teacher dashboard."""
    if not user.is_student:
        return Student(user=user)
    student, _ = Student.objects.select_related("school", "user").get_or_create(user=user)
    return student


def student_profile_update(*, student: Student, preferred_language=None, complete_onboarding=None, **fields) -> Student:
    if not student.user.is_student:
        raise PermissionDenied("Only student accounts have learning preferences to change.")
    for field, value in fields.items():
        setattr(student, field, value)
    if complete_onboarding:
        student.has_completed_onboarding = True
    student.save()
    if preferred_language:
        student.user.preferred_language = preferred_language
        student.user.save(update_fields=["preferred_language"])
    return student


# --- student accounts, for admins ---------------------------------------------------


def _placement(*, school: School | None, school_class: SchoolClass | None, level: str):
    """A class decides the school and the level; without a class both are free."""
    if school_class is None:
        return school, None, level
    if school is None:
        school = school_class.school
    if school_class.school_id != school.pk:
        raise ValidationError({"class_id": [f"{school_class.name} is a class of another school."]})
    if level and level != school_class.level:
        raise ValidationError({"level": [f"{school_class.name} is a {school_class.level} class."]})
    return school, school_class, school_class.level


@transaction.atomic
def student_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    phone: str = "",
    school: School | None = None,
    school_class: SchoolClass | None = None,
    level: str = "",
) -> Student:
    school, school_class, level = _placement(school=school, school_class=school_class, level=level)
    user = member_account_create(
        email=email, role=User.Role.STUDENT, password=password, first_name=first_name, last_name=last_name, phone=phone
    )
    return Student.objects.create(user=user, school=school, school_class=school_class, level=level)


@transaction.atomic
def student_update(*, student: Student, **changes) -> Student:
    """Only the fields given change. A student moved to another school leaves their old class."""
    placement = {name: changes.pop(name) for name in ("school", "school_class", "level") if name in changes}
    if placement:
        school = placement.get("school", student.school)
        school_class = placement.get("school_class", student.school_class)
        if "school_class" not in placement and school_class and school_class.school_id != getattr(school, "pk", None):
            school_class = None
        level = placement.get("level", student.level if school_class is None else "")
        student.school, student.school_class, student.level = _placement(
            school=school, school_class=school_class, level=level
        )
        student.save(update_fields=["school", "school_class", "level"])
    member_account_update(user=student.user, **changes)
    return student
