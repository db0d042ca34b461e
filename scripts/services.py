"""Throwaway PostgreSQL and Redis servers for the runnable examples and their tests.

Why: the examples promise real databases, not mocks, yet a fresh clone or CI machine has no server
running. This starts private ones in a temporary directory (Unix sockets only, no TCP port, so
nothing clashes with a system service), exports `KB_PG_DSN` and `KB_REDIS_URL`, and removes
everything afterwards. It never touches a system-wide cluster.

    python scripts/services.py run -- python content/examples/databases/explain_index.py
    python scripts/services.py check        # says which server binaries were found

As root, PostgreSQL refuses to run, so the cluster is created and run as the `nobody` user.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_PORT = 5432  # only used to name the socket file; listen_addresses is empty
INSTALL_HINT = "install them with: apt-get install -y postgresql redis-server"


class ServiceError(RuntimeError):
    """A server could not be found or started; the message says which and how to fix it."""


def find_pg_bindir() -> Path | None:
    """Newest PostgreSQL server bin directory on this machine, if any."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for cand in reversed(candidates):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def find_redis() -> str | None:
    """Path of redis-server, if installed."""
    return shutil.which("redis-server")


def _run_as() -> dict[str, object]:
    """Popen keyword arguments that drop root privileges (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@contextlib.contextmanager
def postgres(root: Path) -> Iterator[str]:
    """Run a private PostgreSQL cluster under `root`; yield its libpq conninfo string."""
    bindir = find_pg_bindir()
    if bindir is None:
        raise ServiceError(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}")
    data, sock = root / "pg-data", root / "pg-sock"
    sock.mkdir()
    as_user = _run_as()
    if as_user:
        os.chown(root, as_user["user"], as_user["group"])  # type: ignore[arg-type]
        os.chown(sock, as_user["user"], as_user["group"])  # type: ignore[arg-type]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "cwd": root, **as_user}
    _check(
        subprocess.run(
            [bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            **quiet,  # type: ignore[call-overload]
        ),
        "initdb",
    )
    opts = f"-k {sock} -p {PG_PORT} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    _check(
        subprocess.run(
            [bindir / "pg_ctl", "-D", data, "-o", opts, "-l", root / "pg.log", "-w", "start"],
            **quiet,  # type: ignore[call-overload]
        ),
        "pg_ctl start",
        root / "pg.log",
    )
    try:
        yield f"host={sock} port={PG_PORT} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            [bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            **quiet,  # type: ignore[call-overload]
        )


@contextlib.contextmanager
def redis(root: Path) -> Iterator[str]:
    """Run a private redis-server on a Unix socket under `root`; yield its URL."""
    exe = find_redis()
    if exe is None:
        raise ServiceError(f"redis-server not found; {INSTALL_HINT}")
    sock = root / "redis.sock"
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(root),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServiceError("redis-server did not start (no socket after 10 s)")
            time.sleep(0.02)
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def services(pg: bool = True, rds: bool = True) -> Iterator[dict[str, str]]:
    """Start the requested servers in one temp dir; yield the environment variables to export."""
    root = Path(tempfile.mkdtemp(prefix="kb-services-"))
    os.chmod(root, 0o755)
    env: dict[str, str] = {}
    try:
        with contextlib.ExitStack() as stack:
            if rds:
                env["KB_REDIS_URL"] = stack.enter_context(redis(root))
            if pg:
                pg_root = root / "pg"
                pg_root.mkdir()
                env["KB_PG_DSN"] = stack.enter_context(postgres(pg_root))
            yield env
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _check(result: subprocess.CompletedProcess[bytes], what: str, log: Path | None = None) -> None:
    if result.returncode != 0:
        detail = (result.stderr or b"").decode(errors="replace").strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise ServiceError(f"{what} failed (exit {result.returncode}): {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="start PostgreSQL and Redis, run COMMAND with KB_* set")
    run.add_argument("--no-postgres", action="store_true")
    run.add_argument("--no-redis", action="store_true")
    run.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("check", help="report which server binaries are available")
    args = parser.parse_args(argv)
    if args.cmd == "check":
        print(f"postgres: {find_pg_bindir() or 'missing'}")
        print(f"redis-server: {find_redis() or 'missing'}")
        return 0 if find_pg_bindir() and find_redis() else 1
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    try:
        with services(pg=not args.no_postgres, rds=not args.no_redis) as env:
            return subprocess.call(command, env={**os.environ, **env})
    except ServiceError as err:
        print(f"services: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
