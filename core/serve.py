"""Serve HTTP and websockets from N Daphne processes on one port (`make run WORKERS=N`).

One Daphne process uses one core. This supervisor binds the port and starts N
``daphne --fd`` children on the listening socket(s) it holds, as the Channels deployment
docs do under a process supervisor. On Linux each child gets its own SO_REUSEPORT socket
on the same port, so the kernel spreads connections evenly (with one shared socket the
first process to wake takes a whole burst of keep-alive connections); elsewhere they
share one socket. The supervisor keeps every socket open, so connections that arrive
while a dead child is restarted wait in its backlog instead of being refused. It passes
SIGTERM/SIGINT on and waits for the children. One worker simply becomes Daphne (exec).

Several processes need Redis: the in-memory channel layer, cache and throttles would be
per process (a notification published in one would never reach a socket held by
another), so N > 1 without REDIS_URL is refused at once.

    python -m core.serve --workers 2 -b 0.0.0.0 -p 8000 [extra daphne options]

Defaults come from WEB_WORKERS (1), HOST (127.0.0.1) and PORT (8000).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

APPLICATION = "core.asgi:application"
# A child that dies sooner than this after its start counts as a crash loop: back off.
CRASH_WINDOW_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 30.0


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m core.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS") or 1))
    parser.add_argument("-b", "--bind", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--application", default=APPLICATION)
    args, daphne_options = parser.parse_known_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args, daphne_options


def redis_url() -> str:
    """REDIS_URL as the settings see it (environment or .env), without starting Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    from django.conf import settings

    return settings.REDIS_URL


def daphne_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "daphne", *options]


def bind_listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    # Daphne's fd endpoint adopts IPv4 sockets only (Twisted's fd parser defaults to AF_INET).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except socket.gaierror:
        sys.exit(f"core.serve: {host!r} is not an IPv4 address or name; several workers share an IPv4 socket.")
    except OSError as exc:
        sys.exit(f"core.serve: cannot listen on {host}:{port}: {exc.strerror}")
    sock.listen(1024)  # a whole lab connecting at lesson start
    sock.set_inheritable(True)
    return sock


def listening_sockets(host: str, port: int, workers: int) -> list[socket.socket]:
    """One socket per worker on Linux (SO_REUSEPORT balances), else one shared by all."""
    if sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT"):
        first = bind_listening_socket(host, port, reuse_port=True)
        port = first.getsockname()[1]  # port 0 (tests): every socket on the one the kernel chose
        return [first, *(bind_listening_socket(host, port, reuse_port=True) for _ in range(workers - 1))]
    shared = bind_listening_socket(host, port, reuse_port=False)
    return [shared] * workers


class Supervisor:
    """Keeps one Daphne child per listening socket alive until told to stop."""

    def __init__(self, *, sockets: list[socket.socket], application: str, daphne_options: list[str]):
        self.sockets = sockets
        self.application = application
        self.daphne_options = daphne_options
        self.children: dict[int, tuple[subprocess.Popen, float]] = {}  # slot -> (process, started at)
        self.stopping = False
        self.crashes = 0

    def start_child(self, slot: int) -> None:
        fd = self.sockets[slot].fileno()
        command = daphne_command("--fd", str(fd), *self.daphne_options, self.application)
        process = subprocess.Popen(command, pass_fds=(fd,))
        self.children[slot] = (process, time.monotonic())
        print(f"core.serve: worker {slot} started (pid {process.pid})", file=sys.stderr, flush=True)

    def stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for slot in range(len(self.sockets)):
            self.start_child(slot)
        while not self.stopping:
            time.sleep(0.2)
            for slot, (process, started) in list(self.children.items()):
                if self.stopping or process.poll() is None:
                    continue
                lived = time.monotonic() - started
                self.crashes = self.crashes + 1 if lived < CRASH_WINDOW_SECONDS else 0
                print(
                    f"core.serve: worker {slot} (pid {process.pid}) exited with {process.returncode}; restarting",
                    file=sys.stderr,
                    flush=True,
                )
                if self.crashes:
                    time.sleep(min(MAX_BACKOFF_SECONDS, 0.5 * 2**self.crashes))
                if not self.stopping:
                    self.start_child(slot)
        return self.shutdown()

    def shutdown(self) -> int:
        for process, _ in self.children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process, _ in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sock in set(self.sockets):
            sock.close()
        return 0


def main(argv: list[str] | None = None) -> int:
    args, daphne_options = parse_args(sys.argv[1:] if argv is None else argv)
    if args.workers == 1:
        command = daphne_command("-b", args.bind, "-p", str(args.port), *daphne_options, args.application)
        os.execv(command[0], command)
    if not redis_url():
        print(
            f"core.serve: {args.workers} workers need REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it the "
            "channel layer, cache and throttles live in each process, and a notification sent from one worker "
            "would never reach sockets on another. Set REDIS_URL or use one worker.",
            file=sys.stderr,
        )
        return 2
    sockets = listening_sockets(args.bind, args.port, args.workers)
    return Supervisor(sockets=sockets, application=args.application, daphne_options=daphne_options).run()


if __name__ == "__main__":
    sys.exit(main())
