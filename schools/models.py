"""Schools in Ghana and their classes (forms)."""

from django.db import models

from core.ids import new_public_id


def new_school_id() -> str:
    return new_public_id("SCH")


def new_class_id() -> str:
    return new_public_id("CLS")


class Level(models.TextChoices):
    """Ghana's levels: Basic 7-9 (JHS 1-3) and SHS 1-3."""

    B7 = "B7", "Basic 7 (JHS 1)"
    B8 = "B8", "Basic 8 (JHS 2)"
    B9 = "B9", "Basic 9 (JHS 3)"
    SHS1 = "SHS1", "SHS 1"
    SHS2 = "SHS2", "SHS 2"
    SHS3 = "SHS3", "SHS 3"


class Region(models.TextChoices):
    AHAFO = "Ahafo"
    ASHANTI = "Ashanti"
    BONO = "Bono"
    BONO_EAST = "Bono East"
    CENTRAL = "Central"
    EASTERN = "Eastern"
    GREATER_ACCRA = "Greater Accra"
    NORTH_EAST = "North East"
    NORTHERN = "Northern"
    OTI = "Oti"
    SAVANNAH = "Savannah"
    UPPER_EAST = "Upper East"
    UPPER_WEST = "Upper West"
    VOLTA = "Volta"
    WESTERN = "Western"
    WESTERN_NORTH = "Western North"


class School(models.Model):
    school_id = models.CharField(max_length=20, unique=True, default=new_school_id, editable=False)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=20, choices=Region.choices)
    district = models.CharField(max_length=120, blank=True)
    code = models.CharField(max_length=20, unique=True, help_text="The school's GES code.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class/form in a school, e.g. "JHS 2 Gold" at level B8."""

    class_id = models.CharField(max_length=20, unique=True, default=new_class_id, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=60)
    level = models.CharField(max_length=4, choices=Level.choices)

    class Meta:
        ordering = ["school", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="schools_class_unique_name")]
        verbose_name_plural = "school classes"

    def __str__(self) -> str:
        return f"{self.name} ({self.school.name})"
