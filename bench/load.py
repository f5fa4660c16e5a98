"""Load test: wrk against Daphne on loopback, 64 connections for 30 s per endpoint.

Prints req/s, p50/p99 latency and errors for the catalog, a recording's detail and
the tutor (offline, a different question per request so the reply cache never
answers), and the same for a bare Django JSON view on the same server: the stack's
ceiling. That view exists only here (bench/load_settings.py adds it to the URLs).
Target: 0 errors everywhere; catalog >= 0.5x the ceiling. Exits 1 when a target is missed.

    python bench/load.py [--duration 30] [--connections 64]   # --duration 5 for a quick look

Needs wrk (apt-get install wrk). Uses a fresh SQLite database with the demo data.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
PY = sys.executable
BARE_JSON_PATH = "bench/bare-json/"  # bench/load_urls.py
CATALOG_MIN_RATIO = 0.5

# Each request asks something new (thread id + counter in the question and the code),
# so every reply is computed: none comes from the tutor's reply cache.
TUTOR_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  local body = string.format(
    '{"question": "why is my image number %d-%d not showing", "lesson_id": "LESSON_ID", "step": 1, '
    .. '"code": "<img scr=kente-%d-%d.png>"}',
    id, counter, id, counter)
  return wrk.format(nil, nil, nil, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_json(url, payload, token=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def get_json(url, token):
    request = urllib.request.Request(url)
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url, *, token, duration, connections, lua=None) -> dict:
    # --timeout: wrk's default (2 s) counts a slow answer as an error; a queued request that
    # is answered within 10 s is served (the SPA waits longer than that on a 2G link).
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    command += ["-H", f"Authorization: Bearer {token}"]
    command += ["-H", "Accept-Encoding: gzip, deflate, br"]  # as every browser asks
    if lua:
        command += ["-s", lua]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"50%\s+(\S+)", output).group(1))
    p99 = to_ms(re.search(r"99%\s+(\S+)", output).group(1))
    non_2xx = socket_errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        non_2xx = int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        socket_errors = sum(int(g) for g in match.groups())
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "errors": non_2xx + socket_errors,
        "non_2xx": non_2xx,
        "socket_errors": socket_errors,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="mrict-load-")
    env = {
        **os.environ,
        "DATA_DIR": data_dir,
        "DJANGO_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "THROTTLE_TUTOR": "1000000/min",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "OLLAMA_MODEL"):  # SQLite, in-process cache, offline tutor
        env.pop(name, None)
    for command in (["migrate", "-v0"], ["seed_demo"], ["build_curriculum_index", "--if-missing"]):
        subprocess.run([PY, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, capture_output=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(PY).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "core.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        token = post_json(
            f"{base}/api/accounts/login-student/", {"email": "student@mrict.local", "password": "MrIct-Student-2026"}
        )["data"]["access"]
        recordings = get_json(f"{base}/api/recordings/", token)["data"]["results"]
        if not recordings:
            sys.exit("seed_demo made no published demo recording (is ffmpeg installed?): no recording-detail row")
        recording_id = recordings[0]["recording_id"]

        catalog = get_json(f"{base}/api/students/experience/catalog/", token)["data"]["courses"]
        detail = get_json(f"{base}/api/students/experience/catalog/{catalog[0]['course_id']}/", token)["data"]
        lesson_id = detail["modules"][0]["lessons"][0]["lesson_id"]

        sample = {"question": "why is my image not showing", "lesson_id": lesson_id, "step": 1}
        reply = post_json(f"{base}/llm-tutor/api/llm/ask", sample, token=token)  # also loads the embedding model
        if reply.get("data", reply).get("source") != "offline":
            sys.exit(f"the tutor did not answer offline: {reply}")

        lua = Path(data_dir) / "tutor.lua"
        lua.write_text(TUTOR_LUA.replace("LESSON_ID", lesson_id))
        targets = [
            ("ceiling: bare Django JSON view", f"{base}/{BARE_JSON_PATH}", None),
            ("catalog", f"{base}/api/students/experience/catalog/", None),
            ("recording detail", f"{base}/api/recordings/{recording_id}/", None),
            ("tutor ask (offline, distinct questions)", f"{base}/llm-tutor/api/llm/ask", str(lua)),
        ]

        rows = []
        for name, url, script in targets:
            result = run_wrk(url, token=token, duration=args.duration, connections=args.connections, lua=script)
            rows.append((name, result))
        ceiling = rows[0][1]["rps"]
        print(f"\nwrk: {args.connections} connections, {args.duration} s per endpoint, Daphne on loopback, SQLite\n")
        print("| endpoint | req/s | p50 ms | p99 ms | non-2xx | socket errors | x ceiling | target | result |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---|")
        missed = []
        for name, r in rows:
            ratio = r["rps"] / ceiling
            target = "0 errors, >= 0.50x ceiling" if name == "catalog" else "0 errors"
            passed = r["errors"] == 0 and (name != "catalog" or ratio >= CATALOG_MIN_RATIO)
            if not passed:
                missed.append(name)
            print(
                f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non_2xx']} | {r['socket_errors']} "
                f"| {ratio:.2f} "
                f"| {target} | {'pass' if passed else 'FAIL'} |"
            )
        if missed:
            print(f"\nTargets missed: {', '.join(missed)}")
            exit_code = 1
        else:
            exit_code = 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
