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
