"""Load the demo: an admin, teachers and 30 students in two schools (Accra and Kumasi),
the course "Build your first web page" with steps tied to curriculum entries, a short
real recording of its first lesson, enrolments and some progress. Idempotent."""

import random
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from courses.models import (
    ContentTransition,
    Course,
    Enrollment,
    LearningDay,
    Lesson,
    LessonProgress,
    LessonStep,
    Module,
    PublishStatus,
)
from schools.models import Level, Region, School, SchoolClass
from students.models import Student
from teachers.models import Teacher

DEMO_USERS = {
    "admin@mrict.local": ("MrIct-Admin-2026", User.Role.ADMIN, "Ama", "Owusu"),
    "teacher@mrict.local": ("MrIct-Teacher-2026", User.Role.TEACHER, "Kwame", "Mensah"),
    "student@mrict.local": ("MrIct-Student-2026", User.Role.STUDENT, "Akosua", "Boateng"),
}
STUDENT_PASSWORD = "MrIct-Student-2026"
FIRST_NAMES = [
    "Kofi",
    "Abena",
    "Yaw",
    "Efua",
    "Kwabena",
    "Adwoa",
    "Kojo",
    "Akua",
    "Kwaku",
    "Esi",
    "Fiifi",
    "Afia",
    "Nana",
    "Yaa",
    "Selorm",
    "Dzifa",
    "Mawuli",
    "Enyonam",
    "Fuseini",
    "Amina",
]
LAST_NAMES = ["Asante", "Owusu", "Mensah", "Boateng", "Agyeman", "Darko", "Addo", "Quaye", "Tetteh", "Amoah"]

HEADING_START = "<!DOCTYPE html>\n<html>\n<head>\n  <title>My page</title>\n</head>\n<body>\n\n</body>\n</html>\n"
COURSE = {
    "title": "Build your first web page",
    "summary": "Make a real web page about your school with HTML, CSS and a little JavaScript.",
    "description": "Step by step, you build a page for your school: headings, paragraphs, links and "
    "pictures; colours and spacing with CSS; and a button that talks back with JavaScript. "
    "Every lesson works offline once downloaded.",
    "level": Level.B8,
    "tags": ["html", "css", "javascript", "beginner"],
    "modules": [
        (
            "HTML basics",
            [
                (
                    "Your first HTML page",
                    ["html-what-is-html", "html-document-structure"],
                    [
                        (
                            "Start the page",
                            "Type the basic structure of an HTML page: <!DOCTYPE html>, <html>, <head> and <body>.",
                            "",
                            HEADING_START,
                        ),
                        (
                            "Give it a title",
                            "Inside <head>, change the <title> to the name of your school.",
                            HEADING_START,
                            HEADING_START.replace("My page", "Accra Academy"),
                        ),
                    ],
                ),
                (
                    "Headings and paragraphs",
                    ["html-headings", "html-paragraphs-breaks"],
                    [
                        (
                            "Add a heading",
                            "Inside <body>, add an <h1> that says Akwaaba!",
                            HEADING_START,
                            HEADING_START.replace("<body>\n\n", "<body>\n  <h1>Akwaaba!</h1>\n"),
                        ),
                        (
                            "Add a paragraph",
                            "Under the heading, add a <p> that says what your school is famous for.",
                            HEADING_START.replace("<body>\n\n", "<body>\n  <h1>Akwaaba!</h1>\n"),
                            HEADING_START.replace(
                                "<body>\n\n", "<body>\n  <h1>Akwaaba!</h1>\n  <p>We love science.</p>\n"
                            ),
                        ),
                    ],
                ),
                (
                    "Links and images",
                    ["html-links", "html-images"],
                    [
                        (
                            "Add a link",
                            'Add a link to https://ges.gov.gh with the text "Ghana Education Service".',
                            "<body>\n</body>",
                            '<body>\n  <a href="https://ges.gov.gh">Ghana Education Service</a>\n</body>',
                        ),
                        (
                            "Add a picture",
                            'Add an image of kente.png with the alt text "Kente cloth".',
                            "<body>\n</body>",
                            '<body>\n  <img src="kente.png" alt="Kente cloth">\n</body>',
                        ),
                    ],
                ),
            ],
        ),
        (
            "Style with CSS",
            [
                (
                    "Colours and fonts",
                    ["css-syntax", "css-colors", "css-text-fonts"],
                    [
                        (
                            "Colour the heading",
                            "Write a CSS rule that makes every h1 green.",
                            "h1 {\n}",
                            "h1 {\n  color: green;\n}",
                        ),
                        (
                            "Change the font",
                            "Make the body text use the font Arial.",
                            "body {\n}",
                            "body {\n  font-family: Arial, sans-serif;\n}",
                        ),
                    ],
                ),
                (
                    "The box model",
                    ["css-box-model", "css-margin", "css-padding"],
                    [
                        (
                            "Add padding",
                            "Give the .card box 16px of padding.",
                            ".card {\n}",
                            ".card {\n  padding: 16px;\n}",
                        ),
                    ],
                ),
            ],
        ),
        (
            "Make it interactive",
            [
                (
                    "A button that says hello",
                    ["js-dom-select", "js-events"],
                    [
                        (
                            "Find the button",
                            'Use document.querySelector to find the button with id "hello" and store it in const button.',
                            "",
                            'const button = document.querySelector("#hello");',
                        ),
                        (
                            "React to a click",
                            'When the button is clicked, show an alert that says "Akwaaba!".',
                            'const button = document.querySelector("#hello");',
                            'const button = document.querySelector("#hello");\nbutton.addEventListener("click", () => {\n  alert("Akwaaba!");\n});',
                        ),
                    ],
                ),
            ],
        ),
    ],
}

BUTTON_PAGE = '<body>\n  <button id="hello">Say hello</button>\n</body>\n'
# What each demo step requires, as checks (llm_tutor/checks): free text ("your school's name") is
# "non-empty" or "changed", never compared with the reference answer.
WELL_FORMED = {
    "id": "well-formed",
    "kind": "html.well_formed",
    "message": "Check that every tag is spelt right and closed.",
}
STEP_CHECKS = {
    "Start the page": [
        WELL_FORMED,
        {"id": "doctype", "kind": "html.doctype", "message": "Start the page with the doctype line."},
        {
            "id": "html",
            "kind": "html.element",
            "selector": "html",
            "typed": True,
            "message": "Wrap the page in <html> tags.",
        },
        {
            "id": "head",
            "kind": "html.element",
            "selector": "html > head",
            "typed": True,
            "message": "Add a <head> inside <html>.",
        },
        {
            "id": "body",
            "kind": "html.element",
            "selector": "html > body",
            "typed": True,
            "message": "Add a <body> inside <html>.",
        },
        {
            "id": "head-first",
            "kind": "html.element",
            "selector": "head",
            "before": "body",
            "message": "The <head> comes before the <body>.",
        },
    ],
    "Give it a title": [
        WELL_FORMED,
        {
            "id": "title-in-head",
            "kind": "html.element",
            "selector": "head > title",
            "message": "The <title> belongs inside the <head>.",
        },
        {
            "id": "title-text",
            "kind": "html.text",
            "selector": "head > title",
            "non_empty": True,
            "message": "Write your school's name inside the <title>; it is empty.",
        },
        {
            "id": "title-changed",
            "kind": "html.text",
            "selector": "head > title",
            "pattern": "(?!my page$).+",
            "ignore_case": True,
            "message": "Change the title's words to the name of your school.",
        },
    ],
    "Add a heading": [
        WELL_FORMED,
        {
            "id": "h1",
            "kind": "html.element",
            "selector": "body h1",
            "typed": True,
            "message": "Add an <h1> heading inside the body.",
        },
        {
            "id": "h1-text",
            "kind": "html.text",
            "selector": "body h1",
            "equals": "Akwaaba!",
            "message": "The heading says Akwaaba! with its exclamation mark; check the spelling.",
        },
    ],
    "Add a paragraph": [
        WELL_FORMED,
        {
            "id": "p",
            "kind": "html.element",
            "selector": "body p",
            "typed": True,
            "message": "Add a <p> paragraph inside the body.",
        },
        {
            "id": "p-text",
            "kind": "html.text",
            "selector": "body p",
            "non_empty": True,
            "message": "Your paragraph is empty: write what your school is famous for.",
        },
        {
            "id": "after-heading",
            "kind": "html.element",
            "selector": "h1",
            "before": "p",
            "message": "Put the paragraph under (after) the heading.",
        },
    ],
    "Add a link": [
        WELL_FORMED,
        {
            "id": "a",
            "kind": "html.element",
            "selector": "body a",
            "typed": True,
            "message": "Add a link with an <a> tag inside the body.",
        },
        {
            "id": "href-scheme",
            "kind": "html.attribute",
            "selector": "a",
            "attribute": "href",
            "url_schemes": ["https", "http"],
            "message": "The href needs the full address, starting with https://.",
        },
        {
            "id": "href-address",
            "kind": "html.attribute",
            "selector": "a",
            "attribute": "href",
            "pattern": "(?i)https?://(www\\.)?ges\\.gov\\.gh/?",
            "message": "The href must be the Ghana Education Service address from the task.",
        },
        {
            "id": "a-text",
            "kind": "html.text",
            "selector": "a",
            "equals": "Ghana Education Service",
            "ignore_case": True,
            "message": "The link's words must be the ones the task gives: check the spelling.",
        },
    ],
    "Add a picture": [
        WELL_FORMED,
        {
            "id": "img",
            "kind": "html.element",
            "selector": "body img",
            "typed": True,
            "message": "Add a picture with an <img> tag.",
        },
        {
            "id": "src",
            "kind": "html.attribute",
            "selector": "img",
            "attribute": "src",
            "pattern": "\\s*kente\\.png\\s*",
            "message": "The src must be the picture's file name from the task, with its .png ending.",
        },
        {
            "id": "alt",
            "kind": "html.attribute",
            "selector": "img",
            "attribute": "alt",
            "pattern": "(?i)\\s*kente cloth\\.?\\s*",
            "message": "The alt text must describe the picture in the words the task gives.",
        },
    ],
    "Colour the heading": [
        {"id": "parses", "kind": "css.parses", "message": "Check the braces, colons and semicolons of your CSS."},
        {
            "id": "h1-green",
            "kind": "css.declaration",
            "selector": "h1",
            "property": "color",
            "values": ["green"],
            "message": "Make the h1 text green with the color property.",
        },
    ],
    "Change the font": [
        {"id": "parses", "kind": "css.parses", "message": "Check the braces, colons and semicolons of your CSS."},
        {
            "id": "body-font",
            "kind": "css.declaration",
            "selector": "body",
            "property": "font-family",
            "values": ["Arial"],
            "message": "Set the body's font-family to Arial.",
        },
    ],
    "Add padding": [
        {"id": "parses", "kind": "css.parses", "message": "Check the braces, colons and semicolons of your CSS."},
        {
            "id": "card-padding",
            "kind": "css.declaration",
            "selector": ".card",
            "property": "padding",
            "values": ["16px"],
            "message": "Give the .card rule padding of 16 pixels on every side.",
        },
    ],
    "Find the button": [
        {"id": "parses", "kind": "js.parses", "message": "Check the brackets, quotes and punctuation of your code."},
        {
            "id": "query-hello",
            "kind": "js.calls",
            "callee": "document.querySelector",
            "args": [{"selector_matches": "#hello"}],
            "message": "Find the button with document.querySelector and the button's id.",
        },
    ],
    "React to a click": [
        {"id": "parses", "kind": "js.parses", "message": "Check the brackets, quotes and punctuation of your code."},
        {
            "id": "listener",
            "kind": "js.behaviour",
            "expect": {"listener": {"selector": "#hello", "event": "click"}},
            "message": "Make the button react to a click.",
        },
        {
            "id": "quiet-before-click",
            "kind": "js.behaviour",
            "expect": {"alerts": []},
            "message": "The alert must wait for the click, not show straight away.",
        },
        {
            "id": "alert-on-click",
            "kind": "js.behaviour",
            "fire": {"selector": "#hello", "event": "click"},
            "expect": {"alerts": ["Akwaaba!"]},
            "message": "When the button is clicked, show an alert with the greeting from the task.",
        },
    ],
}
PAGE_HTML = {
    "Colour the heading": "<body>\n  <h1>Akwaaba!</h1>\n</body>\n",
    "Change the font": "<body>\n  <h1>Akwaaba!</h1>\n  <p>We love science.</p>\n</body>\n",
    "Add padding": '<body>\n  <div class="card">Our school</div>\n</body>\n',
    "Find the button": BUTTON_PAGE,
    "React to a click": BUTTON_PAGE,
}


class Command(BaseCommand):
    help = "Load demo data (an admin, teachers, 30 students, two schools, a course, a recording)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any user exists.")
        parser.add_argument("--no-recording", action="store_true", help="Skip making the short demo recording.")

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Database already has users; demo not loaded.")
            return
        random.seed(2026)
        with transaction.atomic():
            users = self.make_demo_users()
            accra, kumasi = self.make_schools()
            self.make_teachers(users, accra, kumasi)
            students = self.make_students(users, accra, kumasi)
            course = self.make_course(users["admin@mrict.local"])
            self.make_progress(students, course)
        if not options["no_recording"]:
            self.make_recording(users["admin@mrict.local"], course)
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in with: " + ", ".join(DEMO_USERS)))

    def make_demo_users(self) -> dict:
        users = {}
        for email, (password, role, first, last) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(
                email=email, defaults={"role": role, "first_name": first, "last_name": last, "email_verified": True}
            )
            if created:
                user.set_password(password)
                user.save()
            users[email] = user
        return users

    def make_schools(self):
        accra, _ = School.objects.get_or_create(
            code="GES-GA-0001",
            defaults={"name": "Accra Academy JHS", "region": Region.GREATER_ACCRA, "district": "Accra Metropolitan"},
        )
        kumasi, _ = School.objects.get_or_create(
            code="GES-AS-0002",
            defaults={"name": "Kumasi Wesley JHS", "region": Region.ASHANTI, "district": "Kumasi Metropolitan"},
        )
        for school in (accra, kumasi):
            for level, name in ((Level.B7, "JHS 1 Gold"), (Level.B8, "JHS 2 Gold"), (Level.B9, "JHS 3 Gold")):
                SchoolClass.objects.get_or_create(school=school, name=name, defaults={"level": level})
        return accra, kumasi

    def make_teachers(self, users, accra, kumasi):
        teacher, _ = Teacher.objects.get_or_create(user=users["teacher@mrict.local"])
        teacher.schools.add(accra)
        other, created = User.objects.get_or_create(
            email="teacher.kumasi@mrict.local",
            defaults={"role": User.Role.TEACHER, "first_name": "Yaa", "last_name": "Asantewaa", "email_verified": True},
        )
        if created:
            other.set_password("MrIct-Teacher-2026")
            other.save()
        kumasi_teacher, _ = Teacher.objects.get_or_create(user=other)
        kumasi_teacher.schools.add(kumasi)

    def make_students(self, users, accra, kumasi) -> list:
        classes = list(SchoolClass.objects.filter(school__in=[accra, kumasi]).select_related("school"))
        demo = users["student@mrict.local"]
        accra_b8 = next(c for c in classes if c.school == accra and c.level == Level.B8)
        Student.objects.get_or_create(
            user=demo, defaults={"school": accra, "school_class": accra_b8, "level": Level.B8}
        )
        students = [demo]
        password_hash = make_password(STUDENT_PASSWORD)  # hashed once: 29 hashes would take seconds
        for number in range(1, 30):
            school_class = classes[number % len(classes)]
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
            user, _ = User.objects.get_or_create(
                email=f"student{number:02d}@mrict.local",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": User.Role.STUDENT,
                    "email_verified": True,
                    "password": password_hash,
                },
            )
            Student.objects.get_or_create(
                user=user,
                defaults={"school": school_class.school, "school_class": school_class, "level": school_class.level},
            )
            students.append(user)
        return students

    def make_course(self, admin) -> Course:
        course, created = Course.objects.get_or_create(
            title=COURSE["title"],
            defaults={key: COURSE[key] for key in ("summary", "description", "level", "tags")}
            | {"created_by": admin, "status": PublishStatus.PUBLISHED, "published_at": timezone.now()},
        )
        if not created:
            return course
        minutes = 0
        for module_order, (module_title, lessons) in enumerate(COURSE["modules"], start=1):
            module = Module.objects.create(
                course=course,
                title=module_title,
                order=module_order,
                status=PublishStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            for lesson_order, (lesson_title, curriculum_ids, steps) in enumerate(lessons, start=1):
                lesson = Lesson.objects.create(
                    module=module,
                    title=lesson_title,
                    order=lesson_order,
                    summary=steps[0][1][:300],
                    duration_seconds=600,
                    estimated_duration_minutes=5 * len(steps),
                    status=PublishStatus.PUBLISHED,
                    published_at=timezone.now(),
                )
                minutes += lesson.estimated_duration_minutes
                language = (
                    "css" if module_title.startswith("Style") else "js" if "interactive" in module_title else "html"
                )
                LessonStep.objects.bulk_create(
                    LessonStep(
                        lesson=lesson,
                        step_number=number,
                        title=title,
                        instructions=instructions,
                        starter_code=starter,
                        expected_code=expected,
                        language=language,
                        is_assignment=number == len(steps),
                        curriculum_ids=curriculum_ids,
                        page_html=PAGE_HTML.get(title, ""),
                        checks=STEP_CHECKS.get(title, []),
                    )
                    for number, (title, instructions, starter, expected) in enumerate(steps, start=1)
                )
        course.estimated_duration_minutes = minutes
        course.save(update_fields=["estimated_duration_minutes"])
        self.record_review(course, admin)
        return course

    def record_review(self, course, admin):
        """The audit log's story of the demo content: submitted, then published, by the admin."""
        types = ContentType.objects.get_for_models(Course, Module, Lesson)
        items = [course, *course.modules.all(), *Lesson.objects.filter(module__course=course)]
        ContentTransition.objects.bulk_create(
            ContentTransition(
                course=course,
                content_type=types[type(item)],
                object_id=item.pk,
                content_object_repr=f"{type(item).__name__}: {item}"[:250],
                from_status=from_status,
                to_status=to_status,
                notes=notes,
                performed_by=admin,
            )
            for item in items
            for from_status, to_status, notes in (
                (PublishStatus.DRAFT, PublishStatus.IN_REVIEW, "Ready for review."),
                (PublishStatus.IN_REVIEW, PublishStatus.PUBLISHED, "Checked on a phone and a lab computer."),
            )
        )

    def make_progress(self, students, course):
        lessons = list(Lesson.objects.filter(module__course=course).order_by("module__order", "order"))
        # The days the dashboard's streak counts: the demo student learned on the last three.
        today = timezone.localdate()
        LearningDay.objects.bulk_create(
            [LearningDay(user=students[0], date=today - timedelta(days=offset)) for offset in range(3)]
            + [LearningDay(user=user, date=today) for user in students[1:]],
            ignore_conflicts=True,
        )
        for index, user in enumerate(students):
            Enrollment.objects.get_or_create(user=user, course=course)
            done = index % (len(lessons) + 1)
            for lesson in lessons[:done]:
                LessonProgress.objects.get_or_create(
                    user=user,
                    lesson=lesson,
                    defaults={
                        "last_position_seconds": 600,
                        "completed_at": timezone.now(),
                        "time_spent_seconds": random.randint(300, 900),
                        "steps_completed": [1],
                    },
                )
            if done < len(lessons):
                LessonProgress.objects.get_or_create(
                    user=user,
                    lesson=lessons[done],
                    defaults={"last_position_seconds": 95, "time_spent_seconds": 120, "steps_completed": []},
                )

    def fit_progress_to(self, recording) -> None:
        """Resume positions are video positions: inside the demo clip (made after the
        progress rows), finished ones at its end, the others part-way through."""
        if not recording.duration:
            return
        rows = LessonProgress.objects.filter(lesson=recording.lesson_id)
        rows.filter(completed_at__isnull=False).update(last_position_seconds=recording.duration)
        rows.filter(completed_at__isnull=True).update(last_position_seconds=round(recording.duration * 0.4, 1))

    def make_recording(self, admin, course):
        """A 12-second screencast-like clip with speech, transcoded for real."""
        from video_tutorials.models import Recording
        from video_tutorials.publication import recording_publish
        from video_tutorials.snapshot_ingest import snapshots_ingest
        from video_tutorials.transcode_jobs import recording_transcode
        from video_tutorials.transcoding import ffmpeg_binary
        from video_tutorials.uploads import recording_upload

        lesson = Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()
        if Recording.objects.filter(lesson=lesson).exists():
            return
        workdir = Path(tempfile.mkdtemp(prefix="mrict-demo-"))
        try:
            clip = workdir / "first-page.webm"
            voice = workdir / "voice.wav"
            audio_input = ["-f", "lavfi", "-i", "sine=frequency=220:duration=12"]
            if shutil.which("espeak-ng"):
                subprocess.run(
                    [
                        "espeak-ng",
                        "-w",
                        str(voice),
                        "Akwaaba! Today we build our first web page. "
                        "Every page starts with the doctype, then the html, head and body tags.",
                    ],
                    check=True,
                    capture_output=True,
                )
                audio_input = ["-i", str(voice)]
            subprocess.run(
                [
                    ffmpeg_binary(),
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    "testsrc2=size=1280x720:rate=15:duration=12",
                    *audio_input,
                    "-t",
                    "12",
                    "-c:v",
                    "libvpx-vp9",
                    "-deadline",
                    "realtime",
                    "-cpu-used",
                    "8",
                    "-b:v",
                    "400k",
                    "-c:a",
                    "libopus",
                    "-b:a",
                    "32k",
                    "-shortest",
                    str(clip),
                ],
                check=True,
                capture_output=True,
            )
            with clip.open("rb") as handle:
                recording = recording_upload(
                    uploaded_file=File(handle, name=clip.name),
                    title="Your first HTML page",
                    by=admin,
                    lesson=lesson,
                    description="Ama builds the skeleton of an HTML page.",
                )
            code = ""
            snapshots = []
            for second, line in enumerate(HEADING_START.splitlines(keepends=True)):
                code += line
                snapshots.append(
                    {
                        "code": code,
                        "timestamp": float(second + 1),
                        "cursorPosition": {"lineNumber": second + 1, "column": len(line) + 1},
                        "scrollPosition": {"scrollTop": 0, "scrollLeft": 0},
                    }
                )
            snapshots_ingest(recording=recording, snapshots=snapshots, batch_id="demo-1")
            recording = recording_transcode(recording_pk=recording.pk)
            recording_publish(recording=recording, by=admin)
            self.fit_progress_to(recording)
        except (subprocess.CalledProcessError, OSError) as exc:
            self.stderr.write(f"Demo recording skipped: {exc}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
