"""Learning-domain bench: server time and SQL query count of the read endpoints the
apps hit most, on a realistic volume. Prints a table; not a test.

    python bench/bench_domain.py [--runs 30] [--scale 1.0]

Loads 200 published courses (2 modules × 5 lessons each = 2,000 lessons, 3 steps
per lesson), 5,000 students in 10 schools with 3 enrolments and ~5 progress rows
each, and one teacher of a 500-student school, into a fresh SQLite database in a temp
directory (set DATABASE_URL to bench PostgreSQL instead). Each endpoint is called
through Django's full stack (middleware, JWT auth, DRF, rendering) in-process; the
median of the runs is reported, after one warm-up call. The student SPA's catalog is
served from a shared cache after that warm-up, so it is measured twice: cold (the cache
cleared before each request) and cached. ``--scale 0.05`` loads 5% of the rows for a
quick smoke run.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
WORK = Path(tempfile.mkdtemp(prefix="mrict-bench-domain-"))
os.environ.update(DATA_DIR=str(WORK), MEDIA_ROOT=str(WORK / "media"), MRICT_TESTING="1", REDIS_URL="")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

COURSES = 200
MODULES_PER_COURSE = 2
LESSONS_PER_MODULE = 5
STEPS_PER_LESSON = 3
STUDENTS = 5_000
SCHOOLS = 10
ENROLMENTS_PER_STUDENT = 3
PROGRESS_PER_STUDENT = 5
BATCH = 2_000


def table(title: str, header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


class QueryCounter:
    """Counts SQL statements (request_started resets connection.queries, so no CaptureQueriesContext)."""

    def __enter__(self):
        self.count = 0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT")):
            self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


@transaction.atomic
def load(*, courses_total: int = COURSES, students_total: int = STUDENTS) -> dict:
    from accounts.models import User
    from courses.models import Course, Enrollment, Lesson, LessonProgress, LessonStep, Module, PublishStatus
    from schools.models import Level, Region, School, SchoolClass
    from students.models import Student
    from teachers.models import Teacher

    rng = random.Random(7)
    now = timezone.now()
    published = {"status": PublishStatus.PUBLISHED, "published_at": now}
    levels = [Level.B7, Level.B8, Level.B9]

    schools = School.objects.bulk_create(
        [
            School(name=f"Bench JHS {n}", region=Region.GREATER_ACCRA if n % 2 else Region.ASHANTI, code=f"BENCH-{n}")
            for n in range(SCHOOLS)
        ]
    )
    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(school=school, name=f"JHS {index + 1} Gold", level=level)
            for school in schools
            for index, level in enumerate(levels)
        ]
    )
    classes_by_school = {}
    for school_class in classes:
        classes_by_school.setdefault(school_class.school_id, []).append(school_class)

    courses = Course.objects.bulk_create(
        [
            Course(
                title=f"Course {n:03d}: {rng.choice(['HTML', 'CSS', 'JavaScript', 'Networks'])} basics",
                summary="A bench course.",
                level=levels[n % 3],
                tags=["bench"],
                estimated_duration_minutes=120,
                **published,
            )
            for n in range(courses_total)
        ],
        batch_size=BATCH,
    )
    modules = Module.objects.bulk_create(
        [
            Module(course=course, title=f"Module {m + 1}", order=m + 1, **published)
            for course in courses
            for m in range(MODULES_PER_COURSE)
        ],
        batch_size=BATCH,
    )
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(
                module=module,
                title=f"Lesson {n + 1}",
                summary="Watch, pause, edit.",
                order=n + 1,
                duration_seconds=600,
                estimated_duration_minutes=10,
                content="Read me.",
                **published,
            )
            for module in modules
            for n in range(LESSONS_PER_MODULE)
        ],
        batch_size=BATCH,
    )
    LessonStep.objects.bulk_create(
        [
            LessonStep(
                lesson=lesson,
                step_number=s + 1,
                title=f"Step {s + 1}",
                instructions="Do the thing.",
                starter_code="<body></body>",
                expected_code="<body><h1>Hi</h1></body>",
                curriculum_ids=["html-headings"],
            )
            for lesson in lessons
            for s in range(STEPS_PER_LESSON)
        ],
        batch_size=BATCH,
    )

    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(email=f"bench{n:05d}@example.com", first_name=f"Kofi{n}", last_name="Mensah", password=password)
            for n in range(students_total)
        ],
        batch_size=BATCH,
    )
    students = []
    for n, user in enumerate(users):
        school = schools[n % SCHOOLS]
        school_class = classes_by_school[school.pk][n % 3]
        students.append(Student(user=user, school=school, school_class=school_class, level=school_class.level))
    Student.objects.bulk_create(students, batch_size=BATCH)

    lessons_by_course = {}
    for lesson in lessons:
        lessons_by_course.setdefault(lesson.module.course_id, []).append(lesson)
    enrolments, progress = [], []
    for user in users:
        chosen = rng.sample(courses, ENROLMENTS_PER_STUDENT)
        enrolments += [Enrollment(user=user, course=course) for course in chosen]
        course_lessons = lessons_by_course[chosen[0].pk]
        for position, lesson in enumerate(course_lessons[:PROGRESS_PER_STUDENT]):
            progress.append(
                LessonProgress(
                    user=user,
                    lesson=lesson,
                    last_position_seconds=rng.randint(0, 600),
                    steps_completed=[1, 2],
                    time_spent_seconds=rng.randint(60, 900),
                    completed_at=now if position < PROGRESS_PER_STUDENT - 1 else None,
                )
            )
    Enrollment.objects.bulk_create(enrolments, batch_size=BATCH)
    LessonProgress.objects.bulk_create(progress, batch_size=BATCH)

    teacher_user = User.objects.create_user("bench-teacher@example.com", "x", role=User.Role.TEACHER)
    teacher = Teacher.objects.create(user=teacher_user)
    teacher.schools.add(schools[0])
    teacher.classes.add(*classes_by_school[schools[0].pk])

    return {"student": users[0], "teacher": teacher_user, "course": courses[0], "lesson": lessons[0]}


def client_for(user) -> APIClient:
    from accounts.services import tokens_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['access']}")
    return client


def measure(client: APIClient, url: str, runs: int, *, cold: bool = False) -> tuple[float, int, int, int]:
    """(median ms, queries of one call, HTTP status, response bytes). ``cold``: the cache is
    cleared before each request, so a cached page is rebuilt every time."""
    response = client.get(url)  # warm-up: imports, caches, SQLite page cache
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        with QueryCounter() as counter:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), counter.count, response.status_code, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the courses and students to load")
    args = parser.parse_args()
    courses_total = max(1, round(COURSES * args.scale))
    students_total = max(SCHOOLS, round(STUDENTS * args.scale))

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fixtures = load(courses_total=courses_total, students_total=students_total)
    load_seconds = time.perf_counter() - started
    student, teacher = client_for(fixtures["student"]), client_for(fixtures["teacher"])
    course_id, lesson_id = fixtures["course"].course_id, fixtures["lesson"].lesson_id

    catalog = "/api/students/experience/catalog/?page_size=20"
    search = "/api/students/experience/catalog/?search=html&page_size=20"
    cases = [
        ("catalog (student SPA, page of 20), cold: cache cleared each request", student, catalog, True),
        ("catalog (student SPA, page of 20), cached", student, catalog, False),
        ("catalog (clean API, page of 20), not cached", student, "/api/courses/", False),
        ("catalog search 'html', cold: cache cleared each request", student, search, True),
        ("catalog search 'html', cached", student, search, False),
        ("course detail (2 modules, 10 lessons)", student, f"/api/students/experience/catalog/{course_id}/", False),
        ("lesson player", student, f"/api/students/experience/lessons/{lesson_id}/", False),
        ("student dashboard", student, "/api/students/experience/dashboard/", False),
        (
            f"teacher dashboard ({students_total // SCHOOLS} students, page of 50)",
            teacher,
            "/api/teachers/dashboard/",
            False,
        ),
    ]
    rows = []
    for name, client, url, cold in cases:
        median_ms, queries, status, size = measure(client, url, args.runs, cold=cold)
        rows.append([name, f"{median_ms:.1f}", queries, status, f"{size / 1024:.1f}"])

    engine = connection.vendor
    print(
        f"Loaded {courses_total} courses, {courses_total * MODULES_PER_COURSE * LESSONS_PER_MODULE} lessons, "
        f"{students_total} students ({students_total * ENROLMENTS_PER_STUDENT} enrolments, "
        f"{students_total * PROGRESS_PER_STUDENT} progress rows) in {load_seconds:.1f}s on {engine}."
    )
    table(
        f"Server time per request (median of {args.runs}, in-process, full Django stack)",
        ["endpoint", "median ms", "queries", "status", "KB"],
        rows,
    )


if __name__ == "__main__":
    main()
