"""The demo `make run` loads: real schools, people, a course tied to the curriculum
outline, a real recording, and logins that work with the README's credentials."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from courses.models import Course, Enrollment, LessonProgress, LessonStep, PublishStatus
from schools.models import School
from students.models import Student
from teachers.models import Teacher
from video_tutorials.models import Recording

OUTLINE = Path(__file__).resolve().parents[2] / "llm_tutor" / "tests" / "data" / "outline.tsv"

pytestmark = [pytest.mark.django_db, pytest.mark.ffmpeg]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")


def test_the_demo_has_two_schools_teachers_and_thirty_students(demo):
    assert sorted(School.objects.values_list("region", flat=True)) == ["Ashanti", "Greater Accra"]
    students = Student.objects.filter(user__role=User.Role.STUDENT)
    assert students.count() == 30
    assert set(students.values_list("level", flat=True)) <= {"B7", "B8", "B9"}
    assert students.filter(school__isnull=True).count() == 0
    assert all(teacher.schools.exists() for teacher in Teacher.objects.all()) and Teacher.objects.count() >= 2


def test_the_demo_course_is_published_with_steps_on_curriculum_outline_rows(demo):
    with OUTLINE.open(newline="") as f:
        outline_ids = {row["id"] for row in csv.DictReader(f, delimiter="\t")}
    course = Course.objects.get(title="Build your first web page")
    steps = LessonStep.objects.filter(lesson__module__course=course)

    assert course.status == PublishStatus.PUBLISHED and course.modules.count() >= 2
    assert steps.count() >= 5
    used = {curriculum_id for step in steps for curriculum_id in step.curriculum_ids}
    assert used and used <= outline_ids
    assert Enrollment.objects.filter(course=course).count() > 0
    assert LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_the_demo_recording_is_transcoded_and_published(demo):
    recording = Recording.objects.get(is_published=True)

    assert recording.status == Recording.Status.READY and recording.lesson is not None
    labels = set(recording.assets.values_list("label", flat=True))
    assert {"audio", "poster"} <= labels and any(label.endswith("p") for label in labels)


def test_demo_progress_lies_within_each_lessons_video(demo):
    recording = Recording.objects.get(is_published=True)
    progress = LessonProgress.objects.filter(lesson=recording.lesson)
    assert progress.exists() and recording.duration
    assert all(0 < row.last_position_seconds <= recording.duration for row in progress)
    assert progress.filter(completed_at__isnull=True, last_position_seconds__lt=recording.duration).exists()
    for row in LessonProgress.objects.exclude(lesson=recording.lesson).select_related("lesson"):
        assert row.last_position_seconds <= (row.lesson.duration_seconds or 600)


README_LOGINS = [
    ("/api/accounts/login-student/", "student@mrict.local", "MrIct-Student-2026"),
    ("/api/accounts/login-student/", "student07@mrict.local", "MrIct-Student-2026"),
    ("/api/accounts/login-admin/", "admin@mrict.local", "MrIct-Admin-2026"),
    ("/api/accounts/login/", "teacher@mrict.local", "MrIct-Teacher-2026"),
]


def test_the_readme_credentials_sign_in_and_read_me(demo):
    from rest_framework.test import APIClient

    for path, email, password in README_LOGINS:
        api_client = APIClient()
        login = api_client.post(path, {"email": email, "password": password}, format="json")
        assert login.status_code == 200, (email, login.content)
        body = login.json()
        access = body["data"]["access"] if "data" in body else body["access"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        assert api_client.get("/api/accounts/me/").json()["email"] == email


def test_the_demo_student_dashboard_shows_a_three_day_streak(demo):
    from students.selectors import student_dashboard

    dashboard = student_dashboard(user=User.objects.get(email="student@mrict.local"))

    assert dashboard.stats.streak_days == 3
    assert dashboard.continue_learning.lesson_title == "Your first HTML page"
    assert [course.title for course in dashboard.courses] == ["Build your first web page"]


def test_seeding_twice_adds_nothing(demo):
    counts = (User.objects.count(), Recording.objects.count(), Enrollment.objects.count(), LessonStep.objects.count())

    call_command("seed_demo")
    call_command("seed_demo", "--if-empty")

    assert (
        User.objects.count(),
        Recording.objects.count(),
        Enrollment.objects.count(),
        LessonStep.objects.count(),
    ) == counts
