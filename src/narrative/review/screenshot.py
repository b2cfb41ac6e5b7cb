"""A headless Chromium screenshot of Label Studio's labeling page for one task (``docs/``).

Chromium's ``--screenshot`` opens one URL with no way to log in, so a one-shot helper on another
loopback port hands the browser the Label Studio session cookie (cookies do not depend on the
port) and redirects it to the labeling page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx

from narrative.review.client import LabelStudioError


def login_session(url: str, username: str, password: str) -> str:
    """A Label Studio session id for ``username`` (through its login form)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        page = http.get("/user/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not match:
            raise LabelStudioError(f"Label Studio at {url}: no login form")
        http.post("/user/login/", data={"email": username, "password": password,
                                        "csrfmiddlewaretoken": match.group(1)},
                  headers={"Referer": f"{url}/user/login/"})
        session = http.cookies.get("sessionid")
    if not session:
        raise LabelStudioError(f"Label Studio at {url} refused the login of {username}")
    return session


def _handoff(session: str, target: str) -> HTTPServer:
    class Handoff(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(302)
            self.send_header("Set-Cookie", f"sessionid={session}; Path=/; SameSite=Lax")
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handoff)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def labeling_screenshot(url: str, username: str, password: str, project_id: int, task_id: int, out: str | Path,
                        *, size: tuple[int, int] = (1400, 1000), wait_ms: int = 20000) -> Path:
    """Save a PNG of the labeling page of ``task_id`` as ``username`` sees it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise LabelStudioError("chromium is not installed (Debian: apt-get install chromium)")
    url = url.rstrip("/")
    target = f"{url}/projects/{project_id}/data?task={task_id}"
    server = _handoff(login_session(url, username, password), target)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                            f"--virtual-time-budget={wait_ms}", f"--screenshot={out}",
                            f"http://127.0.0.1:{server.server_port}/"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    finally:
        server.shutdown()
    return out
