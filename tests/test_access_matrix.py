"""Who may do what: one parametrized matrix over every endpoint of the domain.

Actors: anonymous, the owning student, a second student, a teacher of the owner's
school, a teacher of another school, and an admin. Adding an endpoint adds a row.
"""

from dataclasses import dataclass

import pytest

from courses.models import LessonProgress, PublishStatus
from courses.tests.factories import CourseFactory, LessonFactory, LessonStepFactory, ModuleFactory, SchoolFactory
from notifications.services import notification_send
from projects.services import project_create
from students.models import Student
from teachers.models import Teacher
from video_tutorials.models import Recording

ACTORS = ["anonymous", "student", "student2", "teacher_same", "teacher_other", "admin"]


@dataclass
class World:
    users: dict
    ids: dict


@pytest.fixture
def world(make_user):
    school, other_school = SchoolFactory(), SchoolFactory()
    users = {
        name: make_user(role)
        for name, role in [
            ("student", "student"),
            ("student2", "student"),
            ("student_elsewhere", "student"),  # not an actor: the other school's learner
            ("teacher_same", "teacher"),
            ("teacher_other", "teacher"),
            ("admin", "admin"),
        ]
    }
    Student.objects.create(user=users["student"], school=school, level="B8")
    Student.objects.create(user=users["student2"], school=school, level="B8")
    Student.objects.create(user=users["student_elsewhere"], school=other_school, level="B8")
    Teacher.objects.create(user=users["teacher_same"]).schools.add(school)
    Teacher.objects.create(user=users["teacher_other"]).schools.add(other_school)
    published = LessonStepFactory(step_number=1).lesson
    draft_course = CourseFactory(status=PublishStatus.DRAFT)
    draft_module = ModuleFactory(course=draft_course, status=PublishStatus.DRAFT)
    draft_lesson = LessonFactory(module=draft_module, status=PublishStatus.DRAFT)
    LessonStepFactory(lesson=draft_lesson, step_number=1)
    # A published course with a draft module whose lesson is itself published: still hidden.
    hidden_module = ModuleFactory(course=published.module.course, status=PublishStatus.DRAFT)
    hidden_lesson = LessonStepFactory(lesson=LessonFactory(module=hidden_module)).lesson
    # In review and ready to publish (a published lesson with steps inside).
    review_course = CourseFactory(status=PublishStatus.IN_REVIEW)
    LessonStepFactory(lesson=LessonFactory(module=ModuleFactory(course=review_course)))
    review_module = ModuleFactory(course=draft_course, status=PublishStatus.IN_REVIEW)
    LessonStepFactory(lesson=LessonFactory(module=review_module))
    review_lesson = LessonStepFactory(lesson=LessonFactory(module=draft_module, status=PublishStatus.IN_REVIEW)).lesson
    published_recording = Recording.objects.create(
        title="Links", lesson=published, status=Recording.Status.READY, is_published=True
    )
    draft_recording = Recording.objects.create(title="Draft take", lesson=published, status=Recording.Status.READY)
    project = project_create(owner=users["student"], name="Mine")
    project2 = project_create(owner=users["student2"], name="Theirs")
    notification = notification_send(recipient=users["student"], kind="x", title="Yours")
    notification2 = notification_send(recipient=users["student2"], kind="x", title="Theirs")
    # saved without the enrolment the service adds, so the enrol rows still create one
    LessonProgress.objects.create(user=users["student"], lesson=published, last_position_seconds=42)
    ids = {
        "course": published.module.course.course_id,
        "module": published.module.module_id,
        "lesson": published.lesson_id,
        "draft_course": draft_course.course_id,
        "draft_lesson": draft_lesson.lesson_id,
        "draft_module": draft_module.module_id,
        "hidden_module": hidden_module.module_id,
        "hidden_lesson": hidden_lesson.lesson_id,
        "review_course": review_course.course_id,
        "review_module": review_module.module_id,
        "review_lesson": review_lesson.lesson_id,
        "project": project.project_id,
        "project2": project2.project_id,
        "file": project.files.first().pk,
        "notification": notification.notification_id,
        "notification2": notification2.notification_id,
        "school": school.school_id,
        "other_school": other_school.school_id,
        "student_user": users["student"].user_id,
        "student2_user": users["student2"].user_id,
        "student_elsewhere_user": users["student_elsewhere"].user_id,
        "teacher_user": users["teacher_same"].user_id,
        "recording": published_recording.recording_id,
        "draft_recording": draft_recording.recording_id,
    }
    return World(users=users, ids=ids)


def row(method, url, expected, body=None, fmt="json"):
    """``expected``: one status for all signed-in actors, or a dict per actor (anonymous defaults to 401).
    ``fmt="multipart"`` for upload endpoints; their bodies here carry no file, so an admin's
    answer is the 400 that names the missing file (past the permission check)."""
    if isinstance(expected, int):
        expected = {actor: expected for actor in ACTORS[1:]}
    return pytest.param(method, url, {"anonymous": 401, **expected}, body, fmt, id=f"{method} {url}")


OWNER_ONLY = {"student": 200, "student2": 404, "teacher_same": 404, "teacher_other": 404, "admin": 404}
ADMIN_ONLY = {"student": 403, "student2": 403, "teacher_same": 403, "teacher_other": 403, "admin": 200}
ADMIN_SEES_DRAFTS = {"student": 404, "student2": 404, "teacher_same": 404, "teacher_other": 404, "admin": 200}
ADMIN_CREATES = {**ADMIN_ONLY, "admin": 201}
ADMIN_DELETES = {**ADMIN_ONLY, "admin": 204}
OWNER_DELETES = {**OWNER_ONLY, "student": 204}
OWNER_CREATES = {**OWNER_ONLY, "student": 201}
ADMIN_UPLOAD_NEEDS_A_FILE = {**ADMIN_ONLY, "admin": 400}
ADMIN_ENROLS_IN_DRAFTS = {**ADMIN_SEES_DRAFTS, "admin": 201}
# past the permission check, then refused: a ready recording has nothing to retry
ADMIN_REFUSED_BY_STATE = {**ADMIN_ONLY, "admin": 400}
TEACHERS_AND_ADMINS = {"student": 403, "student2": 403, "teacher_same": 200, "teacher_other": 200, "admin": 200}
# Enrolments, progress and learning preferences are a student's: staff preview without them.
STUDENTS_ONLY = {"student": 200, "student2": 200, "teacher_same": 403, "teacher_other": 403, "admin": 403}
STUDENTS_ENROL = {**STUDENTS_ONLY, "student": 201, "student2": 201}
# Only an admin sees the draft, and is then refused as a non-student.
ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS = {**ADMIN_SEES_DRAFTS, "admin": 403}

MATRIX = [
    row("get", "/api/accounts/me/", 200),
    row("get", "/api/students/experience/me/", 200),
    row("get", "/api/students/experience/catalog/", 200),
    row("get", "/api/students/experience/catalog/{course}/", 200),
    row("get", "/api/students/experience/catalog/{draft_course}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/students/experience/lessons/{lesson}/", 200),
    row("get", "/api/students/experience/lessons/{draft_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/students/experience/dashboard/", 200),
    row("get", "/api/courses/", 200),
    row("get", "/api/courses/{draft_course}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/lessons/{draft_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/lessons/{lesson}/progress/", 200),
    row("get", "/api/schools/get-all-schools/", {"anonymous": 200, **{a: 200 for a in ACTORS[1:]}}),
    row("get", "/api/schools/", ADMIN_ONLY),
    row("get", "/api/schools/{school}/", ADMIN_ONLY),
    row("get", "/api/teachers/dashboard/", TEACHERS_AND_ADMINS),
    row("get", "/api/notifications/", 200),
    row("post", "/api/notifications/{notification}/read/", OWNER_ONLY),
    row("get", "/api/projects/", 200),
    row("get", "/api/project_files/by_project/?project={project}", OWNER_ONLY),
    row("patch", "/api/project_files/{file}/", OWNER_ONLY, {"content": "<p>hi</p>"}),
    row("get", "/api/projects/{project}/", OWNER_ONLY),
    row("get", "/api/admin/content/courses/", ADMIN_ONLY),
    row("get", "/api/admin/content/courses/{course}/", ADMIN_ONLY),
    row("get", "/api/admin/content/courses/{course}/audit-log/", ADMIN_ONLY),
    row("post", "/api/admin/content/courses/{draft_course}/archive/", ADMIN_ONLY, {}),
    row("get", "/api/analytics/admin/summary/", ADMIN_ONLY),
    # learning, writes
    row("patch", "/api/students/experience/me/", STUDENTS_ONLY, {"preferred_language": "en"}),
    row("post", "/api/students/experience/catalog/{course}/enroll/", STUDENTS_ENROL, {}),
    row("post", "/api/students/experience/catalog/{draft_course}/enroll/", ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS, {}),
    row("patch", "/api/students/experience/lessons/{lesson}/progress/", STUDENTS_ONLY, {"last_position_seconds": 5}),
    row(
        "patch",
        "/api/students/experience/lessons/{draft_lesson}/progress/",
        ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS,
        {"last_position_seconds": 5},
    ),
    row("get", "/api/courses/{course}/", 200),
    row("get", "/api/lessons/{lesson}/", 200),
    row("post", "/api/courses/{course}/enrollment/", STUDENTS_ENROL, {}),
    row("delete", "/api/courses/{course}/enrollment/", 204),
    row("post", "/api/courses/{draft_course}/enrollment/", ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS, {}),
    row("patch", "/api/lessons/{lesson}/progress/", STUDENTS_ONLY, {"last_position_seconds": 5}),
    row(
        "patch",
        "/api/lessons/{draft_lesson}/progress/",
        ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS,
        {"last_position_seconds": 5},
    ),
    # a published course's draft module: its lessons stay hidden, even a published one
    row("get", "/api/students/experience/lessons/{hidden_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/api/lessons/{hidden_lesson}/", ADMIN_SEES_DRAFTS),
    row("get", "/llm-tutor/api/lesson/{hidden_lesson}", ADMIN_SEES_DRAFTS),
    row(
        "patch",
        "/api/students/experience/lessons/{hidden_lesson}/progress/",
        ADMIN_SEES_DRAFT_BUT_KEEPS_NO_PROGRESS,
        {"last_position_seconds": 5},
    ),
    # schools, notifications, projects, writes
    row("post", "/api/schools/", ADMIN_CREATES, {"name": "Tamale SHS", "region": "Northern", "code": "GES-TML-1"}),
    row("patch", "/api/schools/{school}/", ADMIN_ONLY, {"district": "Tema"}),
    row("delete", "/api/schools/{school}/", ADMIN_DELETES),
    row("get", "/api/notifications/unread-count/", 200),
    row("post", "/api/notifications/mark-all-read/", 200, {}),
    row("post", "/api/projects/create/", 201, {"name": "My page"}),
    row("delete", "/api/projects/{project}/", OWNER_DELETES),
    row(
        "post",
        "/api/project_files/",
        OWNER_CREATES,
        {"project": "{project}", "name": "extra.css", "file_type": "css", "content": ""},
    ),
    row("get", "/api/project_files/{file}/", OWNER_ONLY),
    row("delete", "/api/project_files/{file}/", OWNER_DELETES),
    # content authoring, writes
    row("post", "/api/admin/content/courses/", ADMIN_CREATES, {"title": "Data basics", "level": "B8"}),
    row("patch", "/api/admin/content/courses/{course}/", ADMIN_ONLY, {"summary": "Updated"}),
    row("post", "/api/admin/content/courses/{draft_course}/submit-for-review/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/courses/{course}/revert/", ADMIN_ONLY, {"notes": "Fix typos"}),
    row("post", "/api/admin/content/modules/", ADMIN_CREATES, {"course": "{draft_course}", "title": "Forms"}),
    row("get", "/api/admin/content/modules/{draft_module}/", ADMIN_ONLY),
    row("patch", "/api/admin/content/modules/{draft_module}/", ADMIN_ONLY, {"title": "Forms and inputs"}),
    row("post", "/api/admin/content/modules/{draft_module}/submit-for-review/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lessons/", ADMIN_CREATES, {"module": "{draft_module}", "title": "Buttons"}),
    row("get", "/api/admin/content/lessons/{draft_lesson}/", ADMIN_ONLY),
    row("patch", "/api/admin/content/lessons/{draft_lesson}/", ADMIN_ONLY, {"title": "Buttons and links"}),
    row("post", "/api/admin/content/lessons/{lesson}/revert/", ADMIN_ONLY, {}),
    # a step's checks carry the expected behaviour: admins only
    row(
        "post",
        "/api/admin/content/lessons/{draft_lesson}/steps/",
        ADMIN_CREATES,
        {"step_number": 2, "title": "Add a link", "instructions": "Link to GES.", "language": "html"},
    ),
    row("get", "/api/admin/content/lessons/{draft_lesson}/steps/1/", ADMIN_ONLY),
    row(
        "patch",
        "/api/admin/content/lessons/{draft_lesson}/steps/1/",
        ADMIN_ONLY,
        {"checks": [{"id": "well-formed", "kind": "html.well_formed", "message": "Close every tag."}]},
    ),
    row("post", "/api/admin/content/courses/{review_course}/publish/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/modules/{review_module}/publish/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/modules/{draft_module}/archive/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/modules/{module}/revert/", ADMIN_ONLY, {"notes": "Reorder"}),
    row("post", "/api/admin/content/lessons/{review_lesson}/publish/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lessons/{draft_lesson}/submit-for-review/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lessons/{draft_lesson}/archive/", ADMIN_ONLY, {}),
    row("post", "/api/admin/content/lesson-media/", ADMIN_UPLOAD_NEEDS_A_FILE, {"lesson": "{lesson}"}, "multipart"),
    # people
    row("get", "/api/admin/teachers/", ADMIN_ONLY),
    row(
        "post", "/api/admin/teachers/", ADMIN_CREATES, {"email": "new@example.com", "first_name": "A", "last_name": "B"}
    ),
    row("get", "/api/admin/teachers/{teacher_user}/", ADMIN_ONLY),
    row("patch", "/api/admin/teachers/{teacher_user}/", ADMIN_ONLY, {"subject": "ICT"}),
    row("get", "/api/admin/students/", ADMIN_ONLY),
    row(
        "post", "/api/admin/students/", ADMIN_CREATES, {"email": "new@example.com", "first_name": "A", "last_name": "B"}
    ),
    row("get", "/api/admin/students/{student_user}/", ADMIN_ONLY),
    row("patch", "/api/admin/students/{student_user}/", ADMIN_ONLY, {"level": "B9"}),
    # recordings
    row("get", "/api/recordings/", 200),
    row("get", "/api/recordings/{recording}/", 200),
    row("get", "/api/recordings/{draft_recording}/", ADMIN_SEES_DRAFTS),
    row("patch", "/api/recordings/{draft_recording}/", ADMIN_ONLY, {"lesson": "{lesson}"}),
    row("patch", "/api/recordings/{recording}/", ADMIN_ONLY, {"lesson": None}),
    row("get", "/api/recordings/{draft_recording}/bundle/", ADMIN_SEES_DRAFTS),
    row("post", "/api/recordings/{draft_recording}/publish/", ADMIN_ONLY, {}),
    row("post", "/api/recordings/{recording}/unpublish/", ADMIN_ONLY, {}),
    row("post", "/api/upload/", ADMIN_UPLOAD_NEEDS_A_FILE, {"title": "New take"}, "multipart"),
    row("post", "/api/recordings/", ADMIN_UPLOAD_NEEDS_A_FILE, {"title": "New take"}, "multipart"),
    row("get", "/api/recordings/{recording}/timeline/", 200),
    row("get", "/api/recordings/{draft_recording}/timeline/", ADMIN_SEES_DRAFTS),
    row("get", "/api/recordings/{recording}/bundle/", 200),
    row("get", "/api/recordings/{recording}/captions/", 200),
    row(
        "post",
        "/api/recordings/{draft_recording}/captions/",
        ADMIN_UPLOAD_NEEDS_A_FILE,
        {"language": "en"},
        "multipart",
    ),
    row("post", "/api/recordings/{draft_recording}/retry/", ADMIN_REFUSED_BY_STATE, {}),
    row(
        "post",
        "/api/recordings/{draft_recording}/snapshots/",
        ADMIN_ONLY,
        {"snapshots": [{"code": "<p>", "timestamp": 2}]},
    ),
    row(
        "post",
        "/api/save-code-snapshots/",
        ADMIN_ONLY,
        {"recording_id": "{draft_recording}", "snapshots": [{"code": "<p>hi</p>", "timestamp": 1.5}]},
    ),
    # tutor
    row("get", "/llm-tutor/api/lesson/{lesson}", 200),
    row("get", "/llm-tutor/api/lesson/{draft_lesson}", ADMIN_SEES_DRAFTS),
    row("get", "/llm-tutor/api/branches/{lesson}/", 200),
    row("get", "/api/tutor/history/", 200),
    row("post", "/llm-tutor/api/llm/update", 200, {"lesson_id": "{lesson}", "step": 1, "code": "<p>Hi</p>"}),
    row(
        "post",
        "/llm-tutor/api/llm/update",
        ADMIN_SEES_DRAFTS,
        {"lesson_id": "{draft_lesson}", "step": 1, "code": "<p>"},
    ),
    row("post", "/llm-tutor/api/llm/ask", 200, {"question": "What does the <a> tag do?"}),
    row("get", "/api/tutor/status/", ADMIN_ONLY),
]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method, url, expected, body, fmt", MATRIX)
def test_access_matrix(world, client_for, api_client, actor, method, url, expected, body, fmt):
    client = api_client if actor == "anonymous" else client_for(world.users[actor])
    url = url.format(**world.ids)
    if body is None:
        response = getattr(client, method)(url)
    else:
        body = {key: value.format(**world.ids) if isinstance(value, str) else value for key, value in body.items()}
        response = getattr(client, method)(url, body, format=fmt)
    assert response.status_code == expected[actor], response.content[:300]


def ids_of(items, field: str) -> set[str]:
    return {item[field] for item in items}


def listed(url, extract, expected):
    """``expected``: per actor who may read the list, the world ids it must hold (and nothing else)."""
    return [pytest.param(url, extract, actor, ids, id=f"{url} as {actor}") for actor, ids in expected.items()]


DASHBOARD_STUDENTS = lambda body: ids_of(body["data"]["students"], "user_id")  # noqa: E731
ALL_STUDENTS = {"student_user", "student2_user", "student_elsewhere_user"}
OWN_SCHOOL = {"student_user", "student2_user"}
NOBODY_ELSES = {"student2": set(), "teacher_same": set(), "teacher_other": set(), "admin": set()}
EVERYONE_BUT_ADMIN = ["student", "student2", "teacher_same", "teacher_other"]

LISTS = [
    # a teacher's dashboard lists their own school's students only, however it is filtered
    *listed(
        "/api/teachers/dashboard/",
        DASHBOARD_STUDENTS,
        {"teacher_same": OWN_SCHOOL, "teacher_other": {"student_elsewhere_user"}, "admin": ALL_STUDENTS},
    ),
    *listed(
        "/api/teachers/dashboard/?school_id={school}",
        DASHBOARD_STUDENTS,
        {"teacher_same": OWN_SCHOOL, "teacher_other": set(), "admin": OWN_SCHOOL},
    ),
    *listed(
        "/api/teachers/dashboard/?school_id={other_school}",
        DASHBOARD_STUDENTS,
        {"teacher_same": set(), "teacher_other": {"student_elsewhere_user"}, "admin": {"student_elsewhere_user"}},
    ),
    # own rows only: a second student's never appear
    *listed(
        "/api/notifications/",
        lambda body: ids_of(body["results"], "notification_id"),
        {"student": {"notification"}, "student2": {"notification2"}, "teacher_same": set(), "admin": set()},
    ),
    *listed(
        "/api/projects/",
        lambda body: ids_of(body, "project_id"),
        {"student": {"project"}, "student2": {"project2"}, "teacher_same": set(), "admin": set()},
    ),
    *listed(
        "/api/students/experience/dashboard/",
        lambda body: ids_of(body["data"]["recent_activity"], "lesson_id"),
        {"student": {"lesson"}, **NOBODY_ELSES},
    ),
    *listed(
        "/api/students/experience/dashboard/",
        lambda body: {body["data"]["continue_learning"]["lesson_id"]} if body["data"]["continue_learning"] else set(),
        {"student": {"lesson"}, **NOBODY_ELSES},
    ),
    # drafts (and courses in review) never reach students, teachers or the catalog's cache
    *listed(
        "/api/students/experience/catalog/",
        lambda body: ids_of(body["data"]["courses"], "course_id"),
        {**{actor: {"course"} for actor in EVERYONE_BUT_ADMIN}, "admin": {"course", "draft_course", "review_course"}},
    ),
    *listed(
        "/api/students/experience/catalog/{course}/",
        lambda body: ids_of(body["data"]["modules"], "module_id"),
        {**{actor: {"module"} for actor in EVERYONE_BUT_ADMIN}, "admin": {"module", "hidden_module"}},
    ),
    *listed(
        "/api/courses/{course}/",
        lambda body: {lesson["lesson_id"] for module in body["modules"] for lesson in module["lessons"]},
        {**{actor: {"lesson"} for actor in EVERYONE_BUT_ADMIN}, "admin": {"lesson", "hidden_lesson"}},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url, extract, actor, expected", LISTS)
def test_lists_hold_only_what_the_actor_may_see(world, client_for, url, extract, actor, expected):
    response = client_for(world.users[actor]).get(url.format(**world.ids))
    assert response.status_code == 200, response.content[:300]
    assert extract(response.json()) == {world.ids[name] for name in expected}


# A published recording of a published lesson is exactly as visible as that lesson: hidden
# while its module or course is a draft, in review or archived (the one rule of
# courses.selectors.open_lesson_filter), for students and teachers alike.
HIDDEN_CONTAINERS = [
    (module_status, course_status)
    for module_status, course_status in [
        (PublishStatus.DRAFT, PublishStatus.PUBLISHED),
        (PublishStatus.IN_REVIEW, PublishStatus.PUBLISHED),
        (PublishStatus.ARCHIVED, PublishStatus.PUBLISHED),
        (PublishStatus.PUBLISHED, PublishStatus.DRAFT),
        (PublishStatus.PUBLISHED, PublishStatus.IN_REVIEW),
        (PublishStatus.PUBLISHED, PublishStatus.ARCHIVED),
    ]
]
RECORDING_READS = ["/api/recordings/{key}/", "/api/recordings/{key}/timeline/", "/api/recordings/{key}/bundle/"]


@pytest.fixture
def recording_in(make_user):
    def make(*, module_status, course_status) -> Recording:
        module = ModuleFactory(course=CourseFactory(status=course_status), status=module_status)
        lesson = LessonStepFactory(lesson=LessonFactory(module=module, status=PublishStatus.PUBLISHED)).lesson
        return Recording.objects.create(title="Take", lesson=lesson, status=Recording.Status.READY, is_published=True)

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("url", RECORDING_READS)
@pytest.mark.parametrize(
    "module_status, course_status", HIDDEN_CONTAINERS, ids=[f"module {m}, course {c}" for m, c in HIDDEN_CONTAINERS]
)
def test_recording_of_a_hidden_module_or_course_is_hidden_like_its_lesson(
    world, client_for, recording_in, url, module_status, course_status
):
    recording = recording_in(module_status=module_status, course_status=course_status)
    url = url.format(key=recording.recording_id)
    for actor in ["student", "student2", "teacher_same", "teacher_other"]:
        client = client_for(world.users[actor])
        assert client.get(url).status_code == 404, (actor, url)
        listed_ids = ids_of(client.get("/api/recordings/").json()["data"]["results"], "recording_id")
        assert recording.recording_id not in listed_ids, actor
        lesson = client.get(f"/api/lessons/{recording.lesson.lesson_id}/")
        assert lesson.status_code == 404, actor  # the lesson and its recording agree
    admin = client_for(world.users["admin"])
    assert admin.get(url).status_code == 200
    assert recording.recording_id in ids_of(admin.get("/api/recordings/").json()["data"]["results"], "recording_id")


@pytest.mark.django_db
def test_archiving_then_republishing_a_course_hides_then_shows_its_recordings(world, client_for):
    """The reported leak, through the API: the demo student after the admin archives the course."""
    admin, student = client_for(world.users["admin"]), client_for(world.users["student"])
    course, key = world.ids["course"], world.ids["recording"]

    def student_sees() -> dict:
        listed_ids = ids_of(student.get("/api/recordings/").json()["data"]["results"], "recording_id")
        reads = {url: student.get(url.format(key=key)).status_code for url in RECORDING_READS}
        return {"listed": key in listed_ids, **reads}

    visible = {"listed": True, **{url: 200 for url in RECORDING_READS}}
    hidden = {"listed": False, **{url: 404 for url in RECORDING_READS}}
    assert student_sees() == visible
    assert admin.post(f"/api/admin/content/courses/{course}/archive/", {}, format="json").status_code == 200
    assert student_sees() == hidden
    assert admin.post(f"/api/admin/content/courses/{course}/revert/", {}, format="json").status_code == 200
    assert student_sees() == hidden
    assert admin.post(f"/api/admin/content/courses/{course}/submit-for-review/", {}, format="json").status_code == 200
    assert student_sees() == hidden
    assert admin.post(f"/api/admin/content/courses/{course}/publish/", {}, format="json").status_code == 200
    assert student_sees() == visible
    # the same for the module, and for the recording's own publish switch
    module = world.ids["module"]
    assert admin.post(f"/api/admin/content/modules/{module}/archive/", {}, format="json").status_code == 200
    assert student_sees() == hidden
    for action in ["revert", "submit-for-review", "publish"]:
        assert admin.post(f"/api/admin/content/modules/{module}/{action}/", {}, format="json").status_code == 200
    assert student_sees() == visible
    assert admin.post(f"/api/recordings/{key}/unpublish/", {}, format="json").status_code == 200
    assert student_sees() == hidden
    assert admin.post(f"/api/recordings/{key}/publish/", {}, format="json").status_code == 200
    assert student_sees() == visible
