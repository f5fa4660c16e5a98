"""The Django admin in a real browser (Debian's chromium driven by Playwright),
served by Daphne with debug off: static files through WhiteNoise, login, pages."""

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from accounts.tests.factories import DEFAULT_PASSWORD
from conftest import need_service
from video_tutorials.tests.conftest import media_dir  # noqa: F401  (generated clips)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

BASE_DIR = Path(__file__).resolve().parents[1]
ARTIFACTS = BASE_DIR / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        need_service("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


@pytest.fixture
def admin_site(start_daphne, settings):
    # collectstatic into the test data folder so WhiteNoise serves the admin's CSS/JS.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True)
    return start_daphne()


def admin_login(page, base_url, user):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


# Accounts are made before the browser starts: Playwright's sync API runs an event
# loop in this thread, and Django refuses ORM calls from inside one.
@pytest.fixture
def admin_account(make_user):
    return make_user("admin", email="ama.admin@example.com")


@pytest.fixture
def student_account(make_user):
    return make_user("student")


def test_admin_logs_in_with_styled_pages_and_debug_off(admin_site, admin_account, browser_page):
    admin = admin_account
    admin_login(browser_page, admin_site.base_url, admin)
    assert "Site administration" in browser_page.content()
    assert "Users" in browser_page.content()  # the admin role manages every model
    css = browser_page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert css not in ("", "rgba(0, 0, 0, 0)")  # the admin stylesheet was served
    browser_page.screenshot(path=str(ARTIFACTS / "admin-index.png"))


def test_student_cannot_enter_the_admin(admin_site, student_account, browser_page):
    student = student_account
    browser_page.goto(f"{admin_site.base_url}/admin/login/")
    browser_page.fill("#id_username", student.email)
    browser_page.fill("#id_password", DEFAULT_PASSWORD)
    browser_page.click("input[type=submit]")
    assert "/admin/login/" in browser_page.url
    assert "staff account" in browser_page.content()


@pytest.fixture
def ready_recording(media_dir, admin_account):
    """A transcoded, unpublished recording (real ffmpeg), made before the browser starts."""
    from django.core.files import File

    from video_tutorials.transcode_jobs import recording_transcode
    from video_tutorials.uploads import recording_upload

    with (media_dir / "lesson.webm").open("rb") as clip:
        recording = recording_upload(
            uploaded_file=File(clip, name="lesson.webm"), title="Links lesson", by=admin_account
        )
    return recording_transcode(recording_pk=recording.pk)


@pytest.mark.ffmpeg
def test_admin_previews_and_publishes_a_recording(admin_site, ready_recording, admin_account, browser_page):
    from video_tutorials.models import Recording

    page = browser_page
    admin_login(page, admin_site.base_url, admin_account)
    page.goto(f"{admin_site.base_url}/admin/video_tutorials/recording/")
    page.click(f"text={ready_recording.title}")
    video = page.locator("video").first
    video.wait_for()
    page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=20_000)
    duration = page.evaluate("document.querySelector('video').duration")
    assert duration > 2  # the browser loaded the transcoded rendition's metadata
    page.screenshot(path=str(ARTIFACTS / "recording-preview.png"), full_page=True)

    page.goto(f"{admin_site.base_url}/admin/video_tutorials/recording/")
    page.check("input.action-select")
    page.select_option("select[name=action]", "publish_selected")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    assert "Published 1 recording" in page.inner_text("ul.messagelist")
    page.screenshot(path=str(ARTIFACTS / "recording-published.png"), full_page=True)

    # The ORM refuses to run inside Playwright's event loop thread: ask from another thread,
    # and close that thread's connection (left open, it kept PostgreSQL from dropping the test DB).
    def is_published() -> bool:
        try:
            return Recording.objects.get(pk=ready_recording.pk).is_published
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(is_published).result()
