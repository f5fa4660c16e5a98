"""The student SPA's sign-in and token refresh in a real browser (Debian's chromium
driven by Playwright), from its own origin against Daphne: the page below does what
the SPA's axios client does (CLIENT_CONTRACT.md). It keeps the refresh token of its
sign-in, and on a 401 POSTs it to token/refresh/, reads only ``access`` and retries
once. Two refreshes in a row with that same token must both work."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from conftest import free_port
from tests.test_browser_admin import ARTIFACTS, browser_page  # noqa: F401  (the chromium page)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SPA_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Mr ICT student</title></head>
<body><main id="status">signed out</main>
<script>
// The SPA's API client: tokens in localStorage, refresh on 401 and retry once.
const API = "%(api)s";
window.spa = {
  refreshCalls: [],
  access() { return localStorage.getItem("access"); },
  async signIn(email, password) {
    const response = await fetch(API + "/api/accounts/login-student/", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({email, password, fcm_token: ""}),
    });
    const body = await response.json();
    localStorage.setItem("access", body.data.access);
    localStorage.setItem("refresh", body.data.refresh);  // the only refresh token it ever stores
    return response.status;
  },
  async refresh() {
    const response = await fetch(API + "/api/accounts/token/refresh/", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({refresh: localStorage.getItem("refresh")}),
    });
    this.refreshCalls.push(response.status);
    if (response.status !== 200) return false;
    localStorage.setItem("access", (await response.json()).access);  // reads only access
    return true;
  },
  async get(path, retried = false) {
    const response = await fetch(API + path, {headers: {Authorization: "Bearer " + this.access()}});
    if (response.status === 401 && !retried && await this.refresh()) return this.get(path, true);
    const body = await response.json();
    document.getElementById("status").textContent = response.status + " " + (body.data ? body.data.email : "");
    return {status: response.status, body};
  },
};
</script></body></html>
"""


@pytest.fixture
def spa_origin(tmp_path):
    """The SPA's own host: a static server on another port (another origin)."""
    port = free_port()
    origin = f"http://localhost:{port}"
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin, tmp_path
    server.shutdown()
    server.server_close()


@pytest.fixture
def session_student(make_user):
    from students.models import Student

    user = make_user("student", email="akosua.student@example.com")
    Student.objects.get_or_create(user=user)
    return user


@pytest.fixture
def expired_access(session_student):
    """An access token of the student that has expired (as every one does after 15 minutes)."""
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(session_student)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def test_the_spa_signs_in_and_refreshes_twice_with_its_sign_in_token(
    start_daphne, spa_origin, session_student, expired_access, browser_page
):
    origin, folder = spa_origin
    api = start_daphne(CORS_ALLOWED_ORIGINS=origin)
    (folder / "index.html").write_text(SPA_PAGE % {"api": api.base_url})
    page = browser_page
    page.goto(f"{origin}/index.html")

    assert page.evaluate("([e, p]) => spa.signIn(e, p)", [session_student.email, DEFAULT_PASSWORD]) == 200
    sign_in_refresh = page.evaluate("localStorage.getItem('refresh')")
    me = page.evaluate("spa.get('/api/students/experience/me/')")
    assert me["status"] == 200 and me["body"]["data"]["email"] == session_student.email

    for expected_calls in ([200], [200, 200]):
        # 15 minutes later: the access token has expired; the SPA refreshes and retries.
        page.evaluate("(token) => localStorage.setItem('access', token)", expired_access)
        me = page.evaluate("spa.get('/api/students/experience/me/')")
        assert me["status"] == 200, (me, api.log_tail())
        assert page.evaluate("spa.refreshCalls") == expected_calls
        assert page.evaluate("localStorage.getItem('refresh')") == sign_in_refresh
    assert page.inner_text("#status") == f"200 {session_student.email}"
    page.screenshot(path=str(ARTIFACTS / "student-session.png"))
