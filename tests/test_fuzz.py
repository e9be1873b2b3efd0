"""Schema fuzzing: schemathesis drives a live loopback server from docs/openapi.json's generator.

Passes when no request makes the server answer 5xx, every 4xx is JSON with a message that
says something, and no response carries a stack trace or a server file path. Bounded:
FUZZ_MAX_EXAMPLES (default 60) per operation and mode, derandomized, no example database.

What MLflow's own server does wrong, and the model cannot prevent, is pinned in
test_limits.py and test_faults.py (missing Content-Type -> 500, deeply nested JSON -> 500,
CSV/Parquet parse errors -> 400 with stack_trace).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from netflix_pyfunc import openapi

pytest_plugins = ("serving_fixtures",)
pytestmark = pytest.mark.slow

pytest.register_assert_rewrite("serving_fixtures")
from serving_fixtures import assert_no_leak, assert_useful_client_error, invoke  # noqa: E402

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "60"))
SCHEMA = schemathesis.openapi.from_dict(openapi.build())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
def check_response(response, sent: str) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:800]}"
    assert_no_leak(response.text, sent)
    if 400 <= response.status_code < 500:
        assert_useful_client_error(response)


def _sent(case) -> str:
    try:
        return json.dumps(case.body, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(case.body)


def _fuzz(operation, mode: GenerationMode, base_url: str) -> None:
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=base_url, timeout=60)
        check_response(response, _sent(case))
        if mode is GenerationMode.POSITIVE:
            case.validate_response(response, checks=CHECKS)

    run()


def test_schema_has_every_operation():
    for path, method in [("/invocations", "POST"), ("/ping", "GET"), ("/health", "GET"), ("/version", "GET")]:
        assert SCHEMA[path][method].path == path


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_fuzz_invocations(live_server, mode):
    _fuzz(SCHEMA["/invocations"]["POST"], mode, live_server.url)
    # and the server still answers a normal request afterwards
    assert invoke(live_server.url, {"dataframe_records": [{"title": "Rocky"}], "params": {"k": 1}}).status_code == 200


@pytest.mark.parametrize("path", ["/ping", "/health", "/version"])
def test_fuzz_health_and_version(live_server, path):
    _fuzz(SCHEMA[path]["GET"], GenerationMode.POSITIVE, live_server.url)


@pytest.mark.parametrize("shape", ["DataframeRecordsRequest", "DataframeSplitRequest", "InputsRequest"])
def test_documented_examples_answer_as_documented(live_server, shape):
    """The examples Swagger UI offers get a 200 that conforms to the response schema (random
    positive cases rarely do: most random titles are unknown, which is a correct 400)."""
    example = openapi.build()["components"]["schemas"][shape]["example"]
    operation = SCHEMA["/invocations"]["POST"]
    case = operation.Case(body=example, media_type="application/json")
    response = case.call(base_url=live_server.url, timeout=60)
    assert response.status_code == 200, response.text[:500]
    case.validate_response(response, checks=CHECKS)
    assert len(response.json()["predictions"]) == 2 * example["params"]["k"]
