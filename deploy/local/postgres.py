"""A private PostgreSQL server from Debian's packages, on its own port and data dir.

It never touches the cluster Debian may have auto-started on 5432: we run our own
``initdb``/``pg_ctl`` against a data dir we own. PostgreSQL refuses to run as root, so
when we are root the server runs as the ``postgres`` user the package created.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.local import (
    LOOPBACK,
    cache_root,
    file_lock,
    port_open,
    process_alive,
    read_pid,
    tail,
    terminate,
)

USER = "kinerja"
PASSWORD = "kinerja"
SERVICE_DATABASES = (
    "identity",
    "targets",
    "assessment",
    "feedback",
    "scoring",
    "gateway",
    "kinerja_test",
)
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Unix socket paths are limited to 108 bytes including ".s.PGSQL.<port>".
_MAX_SOCKET_DIR = 90

# Settings appended to postgresql.conf after initdb. Durability is traded for speed on
# purpose: this server holds throwaway dev/test data, and fsync on a 2-core VM's disk
# dominates test time; a crash loses at most the current test run.
_CONF = """
# --- kinerja deploy/local ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '{socket_dir}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
"""


# --------------------------------------------------------------------------- binaries


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version))


def bin_dir() -> Path:
    """Highest installed PostgreSQL's bin dir, installing Debian's package if absent."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        _apt_install()
        found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    return Path(max(found, key=_version_key)).parent


def _apt_install() -> None:
    if os.geteuid() != 0:
        raise RuntimeError("PostgreSQL is not installed; run: sudo apt-get install -y postgresql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class RunAs:
    """The OS account the server runs under (``postgres`` when we are root)."""

    uid: int
    gid: int
    name: str
    groups: tuple[int, ...]

    @property
    def is_self(self) -> bool:
        return self.uid == os.geteuid()


def run_as() -> RunAs:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return RunAs(entry.pw_uid, entry.pw_gid, entry.pw_name, tuple(os.getgroups()))
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root but the 'postgres' OS user does not exist") from exc
    groups = tuple(os.getgrouplist(entry.pw_name, entry.pw_gid))
    return RunAs(entry.pw_uid, entry.pw_gid, entry.pw_name, groups)


def _can_traverse(path: Path, user: RunAs) -> bool:
    """Whether ``user`` may pass through every directory above ``path`` (mode bits only;
    this machine has no ACLs on those paths)."""
    if user.uid == 0:
        return True
    for parent in [path, *path.parents]:
        if not parent.exists():
            continue
        info = parent.stat()
        if info.st_uid == user.uid:
            bit = stat.S_IXUSR
        elif info.st_gid in user.groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def default_home() -> Path:
    """``<cache>/postgres`` when the server's OS user can reach it. As root the cache is
    usually under /root (mode 700), which the ``postgres`` user cannot enter, and opening
    up /root would be worse; so fall back to /var/tmp (survives reboots, unlike /tmp on
    many systems), keyed by our uid and a hash of the cache path so separate caches still
    get separate servers."""
    preferred = cache_root() / "postgres"
    if _can_traverse(preferred.parent, run_as()):
        return preferred
    digest = hashlib.sha1(str(cache_root()).encode()).hexdigest()[:8]
    return Path(f"/var/tmp/kinerja-pg-{os.geteuid()}-{digest}")


@dataclass(frozen=True)
class Layout:
    home: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        candidate = self.home / "run"
        if len(str(candidate)) <= _MAX_SOCKET_DIR:
            return candidate
        digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:8]
        return Path(f"/tmp/kinerja-pg-sock-{digest}")

    @property
    def lock_file(self) -> Path:
        return self.home.with_name(self.home.name + ".lock")


def _layout(port: int, home: Path | str | None) -> Layout:
    root = Path(home).resolve() if home is not None else default_home()
    return Layout(home=root, port=port)


def base_dsn(port: int = 15432) -> str:
    return f"postgresql+asyncpg://{USER}:{PASSWORD}@{LOOPBACK}:{port}"


def database_url(name: str, port: int = 15432) -> str:
    return f"{base_dsn(port)}/{name}"


# --------------------------------------------------------------------------- processes


def _run(command: list[str], user: RunAs, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool as the server's OS user, in a new session so the postmaster
    that pg_ctl leaves behind is detached from our terminal."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    kwargs: dict[str, Any] = {}
    if not user.is_self:
        kwargs = {"user": user.uid, "group": user.gid, "extra_groups": list(user.groups)}
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
        **kwargs,
    )


def _checked(command: list[str], user: RunAs, cwd: Path) -> str:
    result = _run(command, user, cwd)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _prepare_dirs(layout: Layout, user: RunAs) -> None:
    if not _can_traverse(layout.home.parent, user):
        raise RuntimeError(
            f"OS user {user.name!r} cannot reach {layout.home}; pick a home under a "
            "world-traversable directory such as /var/tmp"
        )
    for path in (layout.home, layout.socket_dir):
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, user.uid, user.gid)
        path.chmod(0o700)


def _initdb(layout: Layout, user: RunAs, bins: Path) -> None:
    """Create the cluster once, with ``kinerja`` as its bootstrap superuser (so it can
    create databases and run migrations) and password auth over TCP."""
    if (layout.data_dir / "PG_VERSION").exists():
        return
    pwfile = layout.home / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    os.chown(pwfile, user.uid, user.gid)
    pwfile.chmod(0o600)
    try:
        _checked(
            [
                str(bins / "initdb"),
                "-D",
                str(layout.data_dir),
                "-U",
                USER,
                f"--pwfile={pwfile}",
                # The socket lives in our private 0700 dir, so trusting it is safe;
                # TCP clients (the services) must present the password.
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
            user,
            layout.home,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    with (layout.data_dir / "postgresql.conf").open("a") as conf:
        conf.write(_CONF.format(socket_dir=layout.socket_dir))


def _postmaster(layout: Layout) -> tuple[int, int] | None:
    """(pid, port) of our running postmaster, from postmaster.pid, if it is alive."""
    pid_file = layout.data_dir / "postmaster.pid"
    pid = read_pid(pid_file)
    if pid is None or not process_alive(pid, str(layout.data_dir)):
        return None
    try:
        port = int(pid_file.read_text().splitlines()[3])
    except (OSError, ValueError, IndexError):
        return None
    return pid, port


def _start(layout: Layout, user: RunAs, bins: Path) -> None:
    command = [str(bins / "pg_ctl"), "-D", str(layout.data_dir), "-l", str(layout.log_file)]
    command += ["-w", "-t", "60", "-o", f"-p {layout.port}", "start"]
    result = _run(command, user, layout.home)
    if result.returncode != 0 or not port_open(layout.port):
        raise RuntimeError(
            f"PostgreSQL did not start on port {layout.port}:\n{result.stdout}{result.stderr}\n"
            f"--- {layout.log_file}\n{tail(layout.log_file)}"
        )


def _stop(layout: Layout, user: RunAs, bins: Path) -> None:
    running = _postmaster(layout)
    if running is None:
        return
    # "fast" disconnects clients instead of waiting for test pools to close.
    _run(
        [str(bins / "pg_ctl"), "-D", str(layout.data_dir), "-m", "fast", "-w", "stop"],
        user,
        layout.home,
    )
    terminate([running[0]], timeout=10)


# --------------------------------------------------------------------------- public API


def ensure_postgres(port: int = 15432, home: Path | str | None = None) -> str:
    """Start (or reuse) our PostgreSQL; returns the base DSN (append ``/<db>``)."""
    layout = _layout(port, home)
    user = run_as()
    bins = bin_dir()
    with file_lock(layout.lock_file):
        running = _postmaster(layout)
        if running is not None and running[1] == port and port_open(port):
            return base_dsn(port)
        if running is not None:  # started earlier on another port: restart on this one
            _stop(layout, user, bins)
        _prepare_dirs(layout, user)
        _initdb(layout, user, bins)
        _start(layout, user, bins)
    return base_dsn(port)


def _psql(port: int, sql: str) -> str:
    command = [str(bin_dir() / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
    command += ["-h", LOOPBACK, "-p", str(port), "-U", USER, "-d", "postgres", "-c", sql]
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({sql!r}): {result.stderr.strip()}")
    return result.stdout


def list_databases(port: int = 15432) -> set[str]:
    return set(_psql(port, "SELECT datname FROM pg_database").split())


def create_databases(
    names: list[str] | tuple[str, ...], port: int = 15432, home: Path | str | None = None
) -> None:
    """Create each database that does not exist yet (one per service)."""
    for name in names:
        if not _DB_NAME.match(name):
            raise ValueError(f"unsafe database name {name!r}")
    # The lock keeps two concurrent callers from racing on CREATE DATABASE.
    with file_lock(_layout(port, home).lock_file):
        existing = list_databases(port)
        for name in names:
            if name not in existing:
                _psql(port, f'CREATE DATABASE "{name}" OWNER {USER}')


def stop_postgres(port: int = 15432, home: Path | str | None = None) -> None:
    layout = _layout(port, home)
    with file_lock(layout.lock_file):
        _stop(layout, run_as(), bin_dir())


def postgres_status(port: int = 15432, home: Path | str | None = None) -> dict[str, Any]:
    layout = _layout(port, home)
    running = _postmaster(layout)
    version_file = layout.data_dir / "PG_VERSION"
    return {
        "running": running is not None,
        "pid": running[0] if running else None,
        "port": running[1] if running else port,
        "port_open": port_open(running[1] if running else port),
        "home": str(layout.home),
        "data_dir": str(layout.data_dir),
        "version": version_file.read_text().strip() if version_file.exists() else None,
        "dsn": base_dsn(running[1] if running else port),
        "postgres_bin": shutil.which("postgres", path=str(bin_dir())),
    }
