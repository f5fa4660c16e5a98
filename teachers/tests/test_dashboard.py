"""The teacher dashboard: own school only, progress per course, totals over every
student (not one page), pagination and sorting."""

import pytest
from django.utils import timezone

from courses.models import Enrollment, LessonProgress, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory, SchoolFactory
from schools.models import SchoolClass
from students.models import Student
from teachers.models import Teacher
from teachers.selectors import dashboard_summary

URL = "/api/teachers/dashboard/"


@pytest.fixture
def school_world(make_user, client_for):
    school, other_school = SchoolFactory(), SchoolFactory()
    gold = SchoolClass.objects.create(school=school, name="JHS 2 Gold", level="B8")
    blue = SchoolClass.objects.create(school=school, name="JHS 3 Blue", level="B9")
    teacher = make_user("teacher")
    Teacher.objects.create(user=teacher).schools.add(school)
    course = CourseFactory(title="Web basics")
    module = ModuleFactory(course=course)
    lessons = [LessonFactory(module=module, order=i) for i in range(4)]
    LessonFactory(module=module, status=PublishStatus.DRAFT)  # not counted anywhere
    other_course = CourseFactory(title="Zebra course")
    other_lesson = LessonFactory(module=ModuleFactory(course=other_course))

    students = {}
    for name, school_class, done in [("Ama", gold, 3), ("Kofi", gold, 1), ("Yaw", blue, 0)]:
        user = make_user("student", first_name=name, last_name=name + "son")
        Student.objects.create(user=user, school=school, school_class=school_class, level=school_class.level)
        Enrollment.objects.create(user=user, course=course)
        for lesson in lessons[:done]:
            LessonProgress.objects.create(user=user, lesson=lesson, completed_at=timezone.now(), time_spent_seconds=60)
        students[name] = user
    # Kofi also finished a lesson of a course he is not enrolled in: per-course averages ignore it.
    LessonProgress.objects.create(user=students["Kofi"], lesson=other_lesson, completed_at=timezone.now())
    stranger = make_user("student", first_name="Esi", last_name="Elsewhere")
    Student.objects.create(user=stranger, school=other_school, level="B7")
    return {
        "client": client_for(teacher),
        "students": students,
        "course": course,
        "gold": gold,
        "stranger": stranger,
        "school": school,
    }


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_lists_own_school_only_with_progress_per_course(school_world):
    data = get(school_world["client"])
    assert data["count"] == 3
    by_name = {row["first_name"]: row for row in data["students"]}
    assert set(by_name) == {"Ama", "Kofi", "Yaw"}
    assert by_name["Ama"]["courses"] == [
        {
            "course_id": school_world["course"].course_id,
            "title": "Web basics",
            "lessons_done": 3,
            "lessons_total": 4,
            "percent": 75,
        }
    ]
    assert by_name["Kofi"]["lessons_done"] == 2  # one of them outside his courses
    assert by_name["Ama"]["time_spent_seconds"] == 180
    assert by_name["Yaw"]["last_active"] is None


def test_class_and_course_totals_cover_every_student_not_one_page(school_world):
    data = get(school_world["client"], page_size=1)
    assert len(data["students"]) == 1 and data["count"] == 3 and data["next"]
    assert data["classes"] == [
        {"class_id": school_world["gold"].class_id, "class_name": "JHS 2 Gold", "students": 2, "lessons_done": 5},
        {"class_id": data["classes"][1]["class_id"], "class_name": "JHS 3 Blue", "students": 1, "lessons_done": 0},
    ]
    (course,) = data["courses"]
    # 4 lessons done in the course by 3 enrolled learners of a 4-lesson course.
    assert course == {
        "course_id": school_world["course"].course_id,
        "title": "Web basics",
        "enrolled": 3,
        "lessons_total": 4,
        "average_percent": 33,
    }


def test_pages_walk_every_student_once_in_sorted_order(school_world):
    client = school_world["client"]
    first = get(client, sort="-lessons_done", page_size=2)
    second = client.get(first["next"]).json()["data"]
    names = [row["first_name"] for row in first["students"] + second["students"]]
    assert names == ["Ama", "Kofi", "Yaw"]
    assert second["next"] is None and second["previous"]


def test_filters_by_class_and_course(school_world, make_user):
    client = school_world["client"]
    assert [r["first_name"] for r in get(client, class_id=school_world["gold"].class_id)["students"]] == [
        "Ama",
        "Kofi",
    ]
    newcomer = make_user("student", first_name="Abena", last_name="Aaa")
    Student.objects.create(user=newcomer, school=school_world["school"], level="B7")
    only_learners = get(client, course_id=school_world["course"].course_id)
    assert only_learners["count"] == 3
    by_name = {row["first_name"]: row for row in only_learners["students"]}
    assert by_name["Kofi"]["lessons_done"] == 1  # the other course's lesson no longer counts
    assert get(client)["count"] == 4


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page_size": "1000"}, {"page_size": "x"}, {"sort": "email"}, {"class_id": "C" * 21}],
)
def test_bad_parameters_are_400(school_world, params):
    response = school_world["client"].get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"]


def test_a_page_past_the_end_is_404(school_world):
    response = school_world["client"].get(URL, {"page": 9})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_teacher_without_a_school_sees_nobody(make_user, client_for, school_world):
    lonely = make_user("teacher")
    data = get(client_for(lonely))
    assert data == {"count": 0, "next": None, "previous": None, "students": [], "classes": [], "courses": []}


def test_query_count_is_the_same_for_5_and_50_students(school_world, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for total in (5, 50):
        while Student.objects.filter(school=school_world["school"]).count() < total:
            user = make_user("student", first_name="Extra", last_name="Learner")
            Student.objects.create(user=user, school=school_world["school"], level="B7")
            Enrollment.objects.create(user=user, course=school_world["course"])
            LessonProgress.objects.create(user=user, lesson=school_world["course"].modules.first().lessons.first())
        with CaptureQueriesContext(connection) as queries:
            data = get(school_world["client"], page_size=100)
        assert data["count"] == total and len(data["students"]) == total
        counts[total] = len(queries)
    # user, teacher, count, page, 3 for the page's courses, 4 for the totals
    assert counts[5] == counts[50] <= 11, counts


@pytest.mark.parametrize("status", [PublishStatus.DRAFT, PublishStatus.IN_REVIEW, PublishStatus.ARCHIVED])
def test_totals_leave_out_published_lessons_of_a_hidden_module(school_world, status):
    hidden_module = ModuleFactory(course=school_world["course"], status=status)
    hidden_lesson = LessonFactory(module=hidden_module)  # published itself, but students cannot open it
    LessonProgress.objects.create(
        user=school_world["students"]["Yaw"], lesson=hidden_lesson, completed_at=timezone.now()
    )

    data = get(school_world["client"])

    yaw = next(row for row in data["students"] if row["first_name"] == "Yaw")
    assert [(c["lessons_done"], c["lessons_total"]) for c in yaw["courses"]] == [(0, 4)]
    (course,) = data["courses"]
    assert (course["lessons_total"], course["average_percent"]) == (4, 33)


def test_the_totals_are_four_queries_for_any_number_of_students(school_world, django_assert_num_queries):
    # the user with its teacher profile, as a request loads it once
    teacher = Teacher.objects.select_related("user").get(schools=school_world["school"]).user

    with django_assert_num_queries(4):
        summary = dashboard_summary(user=teacher)

    assert [row.class_name for row in summary.classes] == ["JHS 2 Gold", "JHS 3 Blue"]
    assert [(course.title, course.enrolled) for course in summary.courses] == [("Web basics", 3)]
