"""One error shape everywhere, a spec that declares every status, and /docs served offline."""

from __future__ import annotations

import logging
import math
import re
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import ERROR_RESPONSES, INTERNAL_ERROR, install_error_handlers, json_safe
from copilot.runtime import Copilot
from tests.api.conftest import require_chromium
from tests.conftest import bearer, new_room

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

DECLARED_ERRORS = {"400", "401", "403", "404", "413", "415", "422", "429"}


def assert_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    """The response is `{"error": ...}` JSON with this status, naming these words."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    for word in words:
        assert word in body["error"], body
    return body


# --- the framework's own errors -------------------------------------------------------------


def test_unknown_paths_and_wrong_methods_answer_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nowhere"), 404, "/v1/nowhere")
    wrong = assert_error(client.delete("/v1/rooms"), 405, "DELETE")
    assert wrong == {"error": "method not allowed: DELETE /v1/rooms"}
    assert "GET" in client.delete("/v1/rooms").headers["allow"]
    assert_error(client.get("/static/nothing.css"), 404)


def test_an_unexpected_exception_is_a_bare_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail in a traceback")

    with (
        TestClient(app, raise_server_exceptions=False) as test_client,
        caplog.at_level(logging.ERROR, logger="api.errors"),
    ):
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": INTERNAL_ERROR}
    assert "secret" not in response.text
    assert any(r.exc_info and "GET /boom" in r.getMessage() for r in caplog.records)


# --- validation: never a crash on bytes, uploads or non-JSON bodies --------------------------


def test_a_body_that_is_not_json_is_a_415_not_a_crash(
    client: TestClient, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    text = {"content-type": "text/plain"}
    plain = client.patch("/v1/tickets/x", content=b"\xff\xfe", headers=text)
    assert_error(plain, 415, "JSON", "text/plain")
    form = client.post(f"/v1/rooms/{room}/questions", files={"text": (None, "多少钱")})
    assert_error(form, 415, "multipart/form-data")
    bare = client.post(f"/v1/rooms/{room}/questions", content=b"viewer_id=a")
    assert_error(bare, 415, "no Content-Type")
    # The framework's 400 for a form it cannot parse comes in the same shape.
    no_boundary = {"content-type": "multipart/form-data"}
    broken = client.post(f"/v1/rooms/{room}/voice-questions", content=b"x", headers=no_boundary)
    assert_error(broken, 400, "boundary")


def test_validation_errors_are_json_safe_and_echo_no_input(
    client: TestClient, sqlite_copilot: Copilot
) -> None:
    room = new_room(sqlite_copilot)
    broken = client.post(
        f"/v1/rooms/{room}/questions",
        content=b'{"text": "hi", ',
        headers={"content-type": "application/json"},
    )
    assert_error(broken, 422, "not valid JSON")
    # A form field sent as a file reached the handler as an UploadFile (not JSON-encodable).
    upload = client.post(
        f"/v1/rooms/{room}/voice-questions",
        files={"audio": ("a.wav", b"RIFF"), "at": ("at.txt", b"\xff")},
    )
    body = assert_error(upload, 422, "at")
    assert all("input" not in detail for detail in body["details"])
    invalid = assert_error(client.patch("/v1/tickets/x", json={"status": "closed"}), 422, "status")
    assert invalid["details"][0]["loc"] == ["body", "status"]


def test_json_safe_turns_anything_into_plain_json() -> None:
    value = {"b": b"\xffok", "f": math.inf, "n": [1, (2.5, None)], 3: frozenset(), "o": ...}
    assert json_safe(value) == {
        "b": "\ufffdok",
        "f": "inf",
        "n": [1, [2.5, None]],
        "3": [],
        "o": "Ellipsis",
    }


# --- the bounds that were 500s ---------------------------------------------------------------


@pytest.mark.parametrize("limit", ["-1", "0", "501", str(10**30), "1e3"])
def test_list_limits_are_bounded(client: TestClient, sqlite_copilot: Copilot, limit: str) -> None:
    room = new_room(sqlite_copilot)
    assert_error(client.get("/v1/tickets", params={"limit": limit}), 422, "limit")
    assert_error(client.get(f"/v1/rooms/{room}/activity", params={"limit": limit}), 422, "limit")


@pytest.mark.parametrize(
    "line",
    [
        '{"sku": "B-1", "name": "x", "price": 1, "stock": 100000000000000000000000000000}',
        '{"sku": "B-1", "name": "x", "price": 1e999, "description": "d"}',
    ],
)
def test_catalog_numbers_out_of_range_are_422(
    client: TestClient, sqlite_copilot: Copilot, line: str
) -> None:
    room = new_room(sqlite_copilot)
    assert_error(client.post(f"/v1/rooms/{room}/kb", content=line.encode()), 422, "line 1")


def test_list_limits_in_range_still_work(client: TestClient, sqlite_copilot: Copilot) -> None:
    room = new_room(sqlite_copilot)
    assert client.get("/v1/tickets", params={"limit": 500}).status_code == 200
    assert client.get(f"/v1/rooms/{room}/activity", params={"limit": 1}).status_code == 200


@pytest.mark.parametrize("seconds", ["1e308", "1e20", "inf", "nan", "-1"])
def test_huge_or_odd_seconds_are_422(
    client: TestClient, sqlite_copilot: Copilot, seconds: str
) -> None:
    room = new_room(sqlite_copilot)
    for path in ("recording.wav", "transcript"):
        for name in ("start", "end"):
            response = client.get(f"/v1/rooms/{room}/{path}", params={name: seconds})
            assert_error(response, 422, name)


# --- the spec declares what the API answers --------------------------------------------------


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_declares_the_error_statuses_with_the_error_body(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # our 422 replaces it
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        assert set(responses) >= DECLARED_ERRORS, (method, path)
        for status in DECLARED_ERRORS:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert {str(code) for code in ERROR_RESPONSES} == DECLARED_ERRORS


def test_the_wav_route_declares_its_audio_and_byte_ranges(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/v1/rooms/{room}/recording.wav"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"audio/wav"}
    assert set(responses["206"]["content"]) == {"audio/wav"}
    assert "Content-Range" in responses["206"]["headers"]
    assert "Content-Range" in responses["416"]["headers"]


def test_the_jsonl_routes_declare_their_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/rooms/{room}/kb", "/v1/orders", "/v1/rooms/{room}/transcript"):
        body = paths[path]["post"]["requestBody"]
        assert body["required"] and "application/jsonl" in body["content"], path


# --- /docs without internet ------------------------------------------------------------------

ASSET = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url:\s*'([^']+)'""")


@pytest.mark.parametrize("page_path", ["/docs", "/redoc"])
def test_the_docs_pages_use_only_assets_the_app_serves(
    anonymous: TestClient, page_path: str
) -> None:
    # No token: the docs pages, their assets and the spec are public.
    page = anonymous.get(page_path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text  # nothing from a CDN, not even a font
    assets = {a or b for a, b in ASSET.findall(page.text)}
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert anonymous.get(asset).status_code == 200, asset


def test_swagger_ui_renders_offline_in_chromium(page: Page, base_url: str) -> None:
    require_chromium()
    elsewhere: list[str] = []
    failed: list[str] = []

    def only_local(route: Route, request: Request) -> None:
        if request.url.startswith(base_url):
            route.continue_()
        else:
            elsewhere.append(request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{base_url}/docs")
    page.locator(".swagger-ui .info .title").filter(has_text="Live-commerce copilot").wait_for()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    spec = page.request.get(f"{base_url}/openapi.json").json()
    if spec.get("components", {}).get("securitySchemes"):
        page.locator("button.authorize").first.wait_for()  # where a bearer token is pasted
    assert not elsewhere, elsewhere
    assert not failed, failed


@pytest.mark.postgres
def test_text_postgresql_cannot_store_is_422_and_loads_nothing(postgres_copilot: Copilot) -> None:
    with TestClient(create_app(copilot=postgres_copilot), headers=bearer(postgres_copilot)) as pg:
        room = "nul-room"
        line = '{"sku": "N-1", "name": "bad\\u0000name", "price": 1}'
        response = pg.post(f"/v1/rooms/{room}/kb", content=line.encode())
        assert response.status_code == 422 and "cannot be stored" in response.json()["error"]
        assert pg.get(f"/v1/rooms/{room}").status_code == 404
        assert pg.get("/healthz").status_code == 200
