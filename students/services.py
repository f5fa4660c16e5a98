"""Student profile workflows."""

from rest_framework.exceptions import ValidationError

from schools.models import School

from .models import Student


def student_profile_create(*, user, school_public_id: str | None = None, **fields) -> Student:
    school = None
    if school_public_id:
        school = School.objects.filter(school_id=school_public_id, is_active=True).first()
        if school is None:
            raise ValidationError({"school_id": ["Unknown school."]})
    return Student.objects.create(user=user, school=school, **fields)


def student_profile_for(*, user) -> Student:
    """The signed-in user's profile; teachers and admins previewing the app get one too."""
    student, _ = Student.objects.select_related("school", "user").get_or_create(user=user)
    return student


def student_profile_update(*, student: Student, preferred_language=None, complete_onboarding=None, **fields) -> Student:
    for field, value in fields.items():
        setattr(student, field, value)
    if complete_onboarding:
        student.has_completed_onboarding = True
    student.save()
    if preferred_language:
        student.user.preferred_language = preferred_language
        student.user.save(update_fields=["preferred_language"])
    return student
