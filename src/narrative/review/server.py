"""A local Label Studio server: its own virtual environment, a cached migrated data dir, settings.

Label Studio (``label-studio==1.23.2``) pins versions that clash with the project's stack, so it
lives in ``.venv-ls`` (``make labelstudio``). A data dir is started from a copy of a migrated
template (``.cache/labelstudio-template/``): 3 to 6 s instead of about 50 s of migrations.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from narrative.errors import NarrativeError

LS_VERSION = "1.23.2"
DEFAULT_USERNAME = "admin@example.com"
DB_NAME = "label_studio.sqlite3"
_REPO = Path(__file__).resolve().parents[3]


class ServerError(NarrativeError):
    """Label Studio cannot be installed, found or started."""


def _repo_path(*parts: str) -> Path:
    """``parts`` under the working directory if there, else under the source checkout."""
    here = Path.cwd().joinpath(*parts)
    return here if here.exists() else _REPO.joinpath(*parts)


def ls_binary() -> Path:
    """The ``label-studio`` executable: ``NARRATIVE_LS_BIN`` or ``.venv-ls/bin/label-studio``."""
    path = Path(os.environ.get("NARRATIVE_LS_BIN") or _repo_path(".venv-ls", "bin", "label-studio"))
    if not path.is_file():
        raise ServerError(f"Label Studio is not installed at {path} (run `make labelstudio`, "
                          "or set NARRATIVE_LS_BIN)")
    return path


def template_dir() -> Path:
    """Where the migrated template data dir is cached (``NARRATIVE_LS_TEMPLATE`` overrides)."""
    override = os.environ.get("NARRATIVE_LS_TEMPLATE")
    return Path(override) if override else _repo_path(".cache") / "labelstudio-template" / LS_VERSION


def ls_environment(data_dir: Path, *, username: str, password: str, token: str | None,
                   secret_key: str) -> dict[str, str]:
    """The environment Label Studio needs to run offline on loopback with a fixed admin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": username,
        "LABEL_STUDIO_PASSWORD": password,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "SECRET_KEY": secret_key,
        "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "COLLECT_ANALYTICS": "false",
        "LATEST_VERSION_CHECK": "false",
        # the ML backend and webhooks of this project run on loopback too
        "SSRF_PROTECTION_ENABLED": "false", "ML_BLOCK_LOCAL_IP": "false",
    })
    if token:
        env["LABEL_STUDIO_USER_TOKEN"] = token
    return env


def ensure_template() -> Path:
    """A migrated, user-less data dir for this Label Studio version, built once (about 45 s)."""
    template = template_dir()
    if (template / DB_NAME).is_file():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="build-", dir=template.parent))
    env = ls_environment(building, username="", password="", token=None, secret_key=secrets.token_hex(32))
    for name in ("LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD"):
        env.pop(name)
    result = subprocess.run([str(ls_binary()), "init", "--quiet", "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    if result.returncode != 0 or not (building / DB_NAME).is_file():
        shutil.rmtree(building, ignore_errors=True)
        raise ServerError(f"`label-studio init` failed (exit {result.returncode}): {result.stdout[-500:]}")
    try:
        building.rename(template)
    except OSError:  # another process built it first
        shutil.rmtree(building, ignore_errors=True)
    return template


def prepare_data_dir(data_dir: Path) -> None:
    """Fill an empty ``data_dir`` from the template; keep an existing one."""
    if (data_dir / DB_NAME).is_file():
        return
    template = ensure_template()
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, data_dir, dirs_exist_ok=True)


def _stored_secret(data_dir: Path, name: str, make) -> str:
    path = data_dir / name
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    value = make()
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value


def set_admin_token(data_dir: Path, username: str, token: str) -> None:
    """Make ``token`` the API token of an existing admin (Label Studio sets it only on creation)."""
    with sqlite3.connect(data_dir / DB_NAME) as db:
        db.execute("UPDATE authtoken_token SET key = ? WHERE user_id = "
                   "(SELECT id FROM htx_user WHERE email = ?)", (token, username))


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabelStudio:
    """One Label Studio process bound to 127.0.0.1:``port`` over ``data_dir``."""

    data_dir: Path
    port: int
    token: str | None = None
    username: str = DEFAULT_USERNAME
    password: str | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, log=subprocess.DEVNULL) -> "LabelStudio":
        """Start the server (a free port is required: Label Studio would silently move on)."""
        if self.token is not None and len(self.token) < 6:
            raise ServerError("NARRATIVE_LS_TOKEN must be at least 6 characters")
        if not port_is_free(self.port):
            raise ServerError(f"port {self.port} on 127.0.0.1 is in use")
        self.data_dir = Path(self.data_dir).resolve()
        prepare_data_dir(self.data_dir)
        secret_key = _stored_secret(self.data_dir, "narrative-secret-key", lambda: secrets.token_hex(32))
        if self.password is None:
            self.password = _stored_secret(self.data_dir, "narrative-admin-password",
                                           lambda: secrets.token_urlsafe(18))
        if self.token:
            set_admin_token(self.data_dir, self.username, self.token)
        env = ls_environment(self.data_dir, username=self.username, password=self.password,
                             token=self.token, secret_key=secret_key)
        self.process = subprocess.Popen(
            [str(ls_binary()), "start", "--no-browser", "--internal-host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "WARNING"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until ``/health`` answers UP; raise when the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"Label Studio exited with code {self.process.returncode} while starting")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).json().get("status") == "UP":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.3)
        raise ServerError(f"Label Studio did not answer at {self.url}/health within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM to the server's process group, then wait (about 2 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def serve(port: int, data_dir: Path, *, echo=print) -> int:
    """Run Label Studio in the foreground until it stops or is interrupted; return its exit code."""
    server = LabelStudio(Path(data_dir), port, token=os.environ.get("NARRATIVE_LS_TOKEN") or None,
                         username=os.environ.get("NARRATIVE_LS_USERNAME") or DEFAULT_USERNAME,
                         password=os.environ.get("NARRATIVE_LS_PASSWORD") or None)
    server.start(log=None)  # the server's own log goes to this terminal
    for stop in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored)
        signal.signal(stop, lambda *_: sys.exit(0))
    try:
        server.wait_ready()
        echo(f"Label Studio {LS_VERSION} is up at {server.url} (data in {server.data_dir}); "
             f"admin {server.username}" + ("" if os.environ.get("NARRATIVE_LS_PASSWORD") else
                                            f", password in {server.data_dir / 'narrative-admin-password'}")
             + ("; API token from NARRATIVE_LS_TOKEN" if server.token else
                "; NARRATIVE_LS_TOKEN not set: the API token is on the Account & Settings page")
             + ". Ctrl+C stops it.")
        return server.process.wait()
    finally:
        server.stop()
