"""Media through django-storages on a real S3 server (moto_server on loopback), with the
project's settings as the environment sets them: saved, then read back over HTTP by the
URL the API would hand out, with the headers the local media route would send."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest

from conftest import free_port, need_service

BASE_DIR = Path(__file__).resolve().parents[1]
BUCKET = "mrict-media"

SAVE_FILES = r"""
import json, sys
import django
django.setup()
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

storage = storages["default"]
saved = {}
for name, content_type in json.loads(sys.argv[1]).items():
    # The uploader's claimed type is deliberately wrong: the storage must not trust it.
    upload = SimpleUploadedFile(name.rsplit("/", 1)[-1], name.encode() * 3, content_type=content_type)
    stored = storage.save(name, upload)
    saved[name] = {"name": stored, "url": storage.url(stored)}
print(json.dumps({"backend": type(storage).__module__ + "." + type(storage).__name__, "files": saved}))
"""


class MotoServer:
    def __init__(self, port: int):
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("moto_server exited")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def media_bucket_policy(bucket: str) -> str:
    """The anonymous-read policy deploy/createbucket.sh gives the bucket in compose."""
    script = (BASE_DIR / "deploy" / "createbucket.sh").read_text()
    template = re.search(r"printf '(\{.*\})\\n' \"\$bucket\"", script).group(1)
    return template % bucket


@pytest.fixture
def s3_server():
    """An S3 server of this test's own, left as compose's createbucket job leaves MinIO."""
    if not Path(sys.executable).with_name("moto_server").exists():
        need_service("moto_server is not installed (pip install -r requirements-dev.txt)")
    server = MotoServer(free_port())
    server.start()
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id="mrict",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_policy(Bucket=BUCKET, Policy=media_bucket_policy(BUCKET))
    yield server
    server.stop()


def test_the_bucket_policy_makes_objects_readable_by_key_and_nothing_else():
    statements = json.loads(media_bucket_policy(BUCKET))["Statement"]
    assert statements == [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["*"]},
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        }
    ]


def django_env(server: MotoServer, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="core.settings",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="mrict",
        AWS_SECRET_ACCESS_KEY="test-secret",
        AWS_S3_REGION_NAME="us-east-1",
        # In compose this is <public host>/media, which nginx maps to the bucket; here the
        # browser goes to the S3 server's own path for the bucket.
        AWS_S3_CUSTOM_DOMAIN=f"127.0.0.1:{server.port}/{BUCKET}",
        AWS_S3_URL_PROTOCOL="http",
    )
    env.update(extra)
    return env


def save_with_project_settings(server: MotoServer, files: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SAVE_FILES, json.dumps(files)],
        cwd=BASE_DIR,
        env=django_env(server),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.integration
def test_media_saved_through_s3_is_served_by_its_public_url_with_safe_headers(s3_server):
    saved = save_with_project_settings(
        s3_server,
        {
            "recordings/REC-TEST/media/run1/video-360.mp4": "text/html",
            "recordings/REC-TEST/captions/en-1a2b3c4d.vtt": "text/html",
            "lessons/attachments/notes.html": "text/html",
            "lessons/attachments/résumé.svg": "image/svg+xml",
        },
    )
    assert saved["backend"] == "core.storage.MediaS3Storage"
    files = saved["files"]
    expected = {
        "recordings/REC-TEST/media/run1/video-360.mp4": ("video/mp4", None),
        "recordings/REC-TEST/captions/en-1a2b3c4d.vtt": ("text/vtt; charset=utf-8", None),
        "lessons/attachments/notes.html": ("application/octet-stream", 'attachment; filename="notes.html"'),
        "lessons/attachments/résumé.svg": (
            "application/octet-stream",
            "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.svg",
        ),
    }
    with httpx.Client(timeout=10) as browser:  # anonymous, as a browser would be
        for name, (content_type, disposition) in expected.items():
            url = files[name]["url"]
            # Unsigned and stable, through the public path, never the internal endpoint.
            assert url.startswith(f"http://127.0.0.1:{s3_server.port}/{BUCKET}/recordings/") or url.startswith(
                f"http://127.0.0.1:{s3_server.port}/{BUCKET}/lessons/"
            ), url
            assert "?" not in url
            response = browser.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            assert response.content == name.encode() * 3
            assert response.headers["Content-Type"] == content_type
            assert response.headers.get("Content-Disposition") == disposition


@pytest.mark.integration
def test_s3_media_serves_byte_ranges_for_video_seeking(s3_server):
    name = "recordings/REC-TEST/media/run1/video-720.mp4"
    url = save_with_project_settings(s3_server, {name: "video/mp4"})["files"][name]["url"]
    response = httpx.get(url, headers={"Range": "bytes=0-3"}, timeout=10)
    assert response.status_code == 206
    assert response.content == name.encode()[:4]


@pytest.mark.integration
def test_signed_urls_with_a_public_custom_domain_are_refused_at_startup(s3_server):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=django_env(s3_server, AWS_QUERYSTRING_AUTH="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "AWS_QUERYSTRING_AUTH" in result.stderr
