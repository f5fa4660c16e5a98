import factory

from courses.models import Course, Lesson, LessonStep, Module, PublishStatus
from schools.models import Region, School


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Accra Academy {n}")
    region = Region.GREATER_ACCRA
    district = "Accra Metropolitan"
    code = factory.Sequence(lambda n: f"GES-{n:05d}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Build your first web page {n}")
    summary = "HTML, CSS and a little JavaScript."
    level = "B8"
    tags = ["html", "css"]
    status = PublishStatus.PUBLISHED


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n)
    status = PublishStatus.PUBLISHED


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    order = factory.Sequence(lambda n: n)
    duration_seconds = 600
    status = PublishStatus.PUBLISHED


class LessonStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonStep

    lesson = factory.SubFactory(LessonFactory)
    step_number = factory.Sequence(lambda n: n + 1)
    title = "Add a heading"
    instructions = "Add an <h1> that says Akwaaba."
    starter_code = "<body>\n</body>"
    expected_code = "<body>\n  <h1>Akwaaba</h1>\n</body>"
    curriculum_ids = ["html-headings"]
