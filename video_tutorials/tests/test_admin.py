"""Django admin: recordings list, detail with a preview player, bulk publish/unpublish."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from video_tutorials.models import Recording, RecordingAsset

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_shows_status_renditions_and_a_preview(admin_site_client):
    recording = Recording.objects.create(title="Preview me", status=Recording.Status.READY)
    name = default_storage.save("recordings/x/240p.mp4", ContentFile(b"v"))
    RecordingAsset.objects.create(
        recording=recording, kind="video", label="240p", height=240, file=name, mime_type="video/mp4"
    )
    assert admin_site_client.get("/admin/video_tutorials/recording/").status_code == 200
    page = admin_site_client.get(f"/admin/video_tutorials/recording/{recording.pk}/change/")
    assert page.status_code == 200
    assert b"<video" in page.content and b"240p.mp4" in page.content


def test_bulk_publish_publishes_ready_and_reports_the_others(admin_site_client):
    ready = Recording.objects.create(title="ready", status=Recording.Status.READY)
    raw = Recording.objects.create(title="raw", status=Recording.Status.PROCESSING)
    response = admin_site_client.post(
        "/admin/video_tutorials/recording/",
        {"action": "publish_selected", "_selected_action": [ready.pk, raw.pk]},
        follow=True,
    )
    assert response.status_code == 200
    ready.refresh_from_db(), raw.refresh_from_db()
    assert ready.is_published and not raw.is_published
    admin_site_client.post(
        "/admin/video_tutorials/recording/", {"action": "unpublish_selected", "_selected_action": [ready.pk]}
    )
    ready.refresh_from_db()
    assert not ready.is_published
