"""A thin HTTP client for the parts of Label Studio's REST API that review uses.

Plain ``httpx`` rather than ``label-studio-sdk``: the SDK pulls opencv, nltk, pandas and a code
generator into the project's environment, and retries POSTs (which can duplicate an import).
Here every call has a timeout and is tried once; a failure is one :class:`LabelStudioError`
line naming the URL and what failed, never a response body (which could hold task text).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx

from narrative.errors import NarrativeError

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0


class LabelStudioError(NarrativeError):
    """Label Studio is down, slow, refuses the token or answers an error."""


def connect(url: str | None = None, token: str | None = None, *, timeout: float | None = None) -> "LabelStudioClient":
    """A client from arguments or ``NARRATIVE_LS_URL`` / ``NARRATIVE_LS_TOKEN`` / ``NARRATIVE_LS_TIMEOUT``."""
    url = url or os.environ.get("NARRATIVE_LS_URL") or DEFAULT_URL
    token = token or os.environ.get("NARRATIVE_LS_TOKEN")
    if not token:
        raise LabelStudioError("no Label Studio API token: set NARRATIVE_LS_TOKEN")
    timeout = timeout or float(os.environ.get("NARRATIVE_LS_TIMEOUT") or DEFAULT_TIMEOUT)
    return LabelStudioClient(url, token, timeout=timeout)


def _invalid_fields(response: httpx.Response) -> str:
    """The names (never the values) of the fields Label Studio says are invalid."""
    try:
        errors = response.json().get("validation_errors")
    except (ValueError, AttributeError):
        return ""
    return f": invalid {', '.join(sorted(map(str, errors)))}" if isinstance(errors, dict) and errors else ""


class LabelStudioClient:
    """Label Studio at ``url`` with a (legacy) API token; one try per call, ``timeout`` seconds each."""

    def __init__(self, url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT):
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout, headers={"Authorization": f"Token {token}"},
                                 transport=httpx.HTTPTransport(retries=0))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "LabelStudioClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, path: str, what: str, **kwargs) -> Any:
        """The decoded JSON answer of one call, or a one-line :class:`LabelStudioError`."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise LabelStudioError(f"Label Studio at {self.url} did not answer in time ({what})") from None
        except httpx.HTTPError as err:
            raise LabelStudioError(f"cannot reach Label Studio at {self.url} ({what}): {type(err).__name__}") from None
        if response.status_code in (401, 403):
            raise LabelStudioError(f"Label Studio at {self.url} refused the API token ({what}): "
                                   "check NARRATIVE_LS_TOKEN")
        if response.status_code >= 400:
            raise LabelStudioError(f"Label Studio at {self.url} answered HTTP {response.status_code} ({what})"
                                   + _invalid_fields(response))
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise LabelStudioError(f"Label Studio at {self.url} answered something that is not JSON ({what})") from None

    # projects
    def find_project(self, title: str) -> dict | None:
        """The project titled exactly ``title``, or None."""
        page = 1
        while True:
            answer = self.request("GET", "/api/projects", "list projects",
                                  params={"title": title, "page": page, "page_size": 100})
            for project in answer["results"]:
                if project["title"] == title:
                    return project
            if not answer.get("next"):
                return None
            page += 1

    def create_project(self, **fields) -> dict:
        return self.request("POST", "/api/projects", f"create project {fields.get('title')!r}", json=fields)

    def update_project(self, project_id: int, **fields) -> dict:
        return self.request("PATCH", f"/api/projects/{project_id}", f"update project {project_id}", json=fields)

    # tasks and predictions
    def tasks(self, project_id: int, *, page_size: int = 500) -> Iterator[dict]:
        """Every task of the project with its predictions and annotations."""
        page = 1
        while True:
            answer = self.request("GET", "/api/tasks", f"list tasks of project {project_id}",
                                  params={"project": project_id, "page": page, "page_size": page_size,
                                          "fields": "all"})
            yield from answer["tasks"]
            if page * page_size >= answer.get("total", 0) or not answer["tasks"]:
                return
            page += 1

    def annotated_tasks(self, project_id: int) -> list[dict]:
        """Every annotated task, each annotation with the prediction it started from (an export:
        far quicker than listing every task of a large project)."""
        return self.request("GET", f"/api/projects/{project_id}/export", f"export project {project_id}",
                            params={"exportType": "JSON", "download_all_tasks": "false"})

    def prediction(self, prediction_id: int) -> dict:
        return self.request("GET", f"/api/predictions/{prediction_id}", f"read prediction {prediction_id}")

    def import_tasks(self, project_id: int, tasks: list[dict]) -> list[int]:
        """Import ``tasks`` (with predictions) in one request; return their new ids."""
        answer = self.request("POST", f"/api/projects/{project_id}/import", f"import {len(tasks)} tasks",
                              params={"return_task_ids": "true"}, json=tasks)
        return list(answer.get("task_ids") or [])

    def update_task(self, task_id: int, **fields) -> dict:
        return self.request("PATCH", f"/api/tasks/{task_id}", f"update task {task_id}", json=fields)

    def create_prediction(self, task_id: int, **fields) -> dict:
        return self.request("POST", "/api/predictions", f"add prediction to task {task_id}",
                            json={"task": task_id, **fields})

    def delete_prediction(self, prediction_id: int) -> None:
        self.request("DELETE", f"/api/predictions/{prediction_id}", f"delete prediction {prediction_id}")

    # annotations and users
    def create_annotation(self, task_id: int, **fields) -> dict:
        return self.request("POST", f"/api/tasks/{task_id}/annotations", f"annotate task {task_id}", json=fields)

    def update_annotation(self, annotation_id: int, **fields) -> dict:
        return self.request("PATCH", f"/api/annotations/{annotation_id}", f"update annotation {annotation_id}",
                            json=fields)

    def users(self) -> dict[int, str]:
        """User id -> e-mail."""
        return {u["id"]: u.get("email") or u.get("username") or str(u["id"])
                for u in self.request("GET", "/api/users", "list users")}

    def create_user(self, email: str) -> dict:
        return self.request("POST", "/api/users", "create user", json={"email": email, "username": email})

    def add_member(self, project_id: int, user_id: int) -> None:
        self.request("POST", f"/api/projects/{project_id}/members", f"add member to project {project_id}",
                     json={"user": user_id})
