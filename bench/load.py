"""Load test: wrk against Daphne on loopback, 64 connections for 30 s per endpoint.

Prints req/s, p50/p99 latency and errors for the catalog, a recording's detail and
the tutor (offline), and the same for a bare Django JSON view (/healthz) on the same
server: the stack's ceiling. Target: 0 errors; catalog >= 0.5x the ceiling.

    python bench/load.py [--duration 30] [--connections 64]

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
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Bearer {token}"]
    command += ["-H", "Accept-Encoding: gzip, deflate, br"]  # as every browser asks
    if lua:
        command += ["-s", lua]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"50%\s+(\S+)", output).group(1))
    p99 = to_ms(re.search(r"99%\s+(\S+)", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(g) for g in match.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="mrict-load-")
    env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_DEBUG": "false", "THROTTLE_TUTOR": "1000000/min"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
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
        recordings = get_json(f"{base}/api/recordings/", token)
        items = recordings.get("results", recordings.get("data", recordings))
        if isinstance(items, dict):
            items = items.get("recordings", items.get("results", []))
        recording_id = items[0].get("recording_id") or items[0].get("id") if items else None

        lesson_id = None
        catalog = get_json(f"{base}/api/students/experience/catalog/", token)["data"]["courses"]
        if catalog:
            detail = get_json(f"{base}/api/students/experience/catalog/{catalog[0]['course_id']}/", token)["data"]
            lesson_id = detail["modules"][0]["lessons"][0]["lesson_id"]

        warm_up = {"question": "why is my image not showing", "lesson_id": lesson_id, "step": 1}
        post_json(f"{base}/llm-tutor/api/llm/ask", warm_up, token=token)  # loads the embedding model once

        lua = Path(data_dir) / "tutor.lua"
        body = json.dumps(
            {
                "question": "why is my image not showing",
                "lesson_id": lesson_id,
                "step": 1,
                "code": "<img scr='kente.png'>",
            }
        )
        lua.write_text(
            f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{body}]]\n'
        )
        targets = [
            ("ceiling: bare JSON view (/healthz)", f"{base}/healthz", None),
            ("catalog", f"{base}/api/students/experience/catalog/", None),
        ]
        if recording_id:
            targets.append(("recording detail", f"{base}/api/recordings/{recording_id}/", None))
        targets.append(("tutor ask (offline)", f"{base}/llm-tutor/api/llm/ask", str(lua)))

        rows = []
        for name, url, script in targets:
            result = run_wrk(url, token=token, duration=args.duration, connections=args.connections, lua=script)
            rows.append((name, result))
        ceiling = rows[0][1]["rps"]
        print(f"\nwrk: {args.connections} connections, {args.duration} s per endpoint, Daphne on loopback, SQLite\n")
        print("| endpoint | req/s | p50 ms | p99 ms | errors | x ceiling |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in rows:
            print(
                f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['rps'] / ceiling:.2f} |"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
