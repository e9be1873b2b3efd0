"""The OpenAPI document: valid OpenAPI 3.0, generated from the signature and limits, committed
copy up to date. Fast (no server): the live checks are in test_fuzz.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netflix_pyfunc import openapi
from netflix_pyfunc.model import OUTPUT_COLUMNS, input_example, signature
from netflix_pyfunc.params import MAX_DESCRIPTION_CHARS, MAX_K, MAX_ROWS, MAX_TITLE_CHARS, PARAMS

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "openapi.json"


@pytest.fixture(scope="module")
def doc() -> dict:
    return openapi.build()


def test_valid_openapi_3(doc):
    assert doc["openapi"].startswith("3.0.")
    openapi.validate(doc)


def test_validator_rejects_a_broken_document(doc):
    import jsonschema

    broken = json.loads(json.dumps(doc))
    del broken["paths"]["/invocations"]["post"]["responses"]
    with pytest.raises(jsonschema.ValidationError):
        openapi.validate(broken)


def test_committed_copy_is_the_generator_output():
    assert COMMITTED.read_text(encoding="utf-8") == openapi.render(openapi.build()), (
        "docs/openapi.json is stale: run  python -m netflix_pyfunc.openapi > docs/openapi.json"
    )


def test_cli_prints_the_document():
    out = subprocess.run(
        [sys.executable, "-m", "netflix_pyfunc.openapi", "--check", "--server", "http://10.0.0.1"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    assert json.loads(out)["servers"] == [{"url": "http://10.0.0.1"}]


def test_endpoints(doc):
    assert set(doc["paths"]) == {"/invocations", "/ping", "/health", "/version"}
    assert set(doc["paths"]["/invocations"]) == {"post"}
    assert {"200", "400", "415", "500"} <= set(doc["paths"]["/invocations"]["post"]["responses"])


def test_request_shapes_carry_params_and_limits(doc):
    schemas = doc["components"]["schemas"]
    request = doc["paths"]["/invocations"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    shapes = {ref["$ref"].rsplit("/", 1)[1] for ref in request["oneOf"]}
    assert shapes == {"DataframeRecordsRequest", "DataframeSplitRequest", "InputsRequest"}
    for shape in shapes:
        assert schemas[shape]["properties"]["params"] == {"$ref": "#/components/schemas/Params"}
    assert schemas["DataframeRecordsRequest"]["properties"]["dataframe_records"]["maxItems"] == MAX_ROWS
    assert schemas["DataframeSplitRequest"]["properties"]["dataframe_split"]["properties"]["data"]["maxItems"] == MAX_ROWS
    row = schemas["QueryRow"]["properties"]
    assert row["title"]["maxLength"] == MAX_TITLE_CHARS
    assert row["description"]["maxLength"] == MAX_DESCRIPTION_CHARS
    params = schemas["Params"]["properties"]
    assert list(params) == [p.name for p in PARAMS]
    assert params["k"] == {**params["k"], "type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10}
    assert params["type"]["enum"] == ["Movie", "TV Show", ""]


def test_schemas_follow_the_signature(doc):
    sig = signature()
    schemas = doc["components"]["schemas"]
    assert list(schemas["QueryRow"]["properties"]) == [s.name for s in sig.inputs.inputs]
    record = schemas["Recommendation"]
    assert list(record["properties"]) == list(OUTPUT_COLUMNS) == [s.name for s in sig.outputs.inputs]
    assert record["properties"]["rank"]["type"] == "integer"
    assert record["properties"]["score"]["type"] == "number"
    assert {p.name for p in sig.params.params} == set(schemas["Params"]["properties"])


def test_examples_are_valid_requests(doc):
    """Each request shape's example validates against its own schema (Swagger's 'Try it out')."""
    schemas = doc["components"]["schemas"]
    for name in ("DataframeRecordsRequest", "DataframeSplitRequest", "InputsRequest"):
        schema = {**schemas[name], "components": doc["components"]}  # so $refs resolve
        _validate_oas30(schemas[name]["example"], schema)
    assert schemas["DataframeSplitRequest"]["example"]["dataframe_split"]["data"] == input_example().values.tolist()


def _validate_oas30(instance, schema):
    """jsonschema for an OAS 3.0 schema object: 'nullable' becomes a null type."""
    import jsonschema

    def convert(node):
        if isinstance(node, dict):
            node = {k: convert(v) for k, v in node.items() if k not in ("example",)}
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    jsonschema.Draft4Validator(convert(schema)).validate(instance)


def test_error_body_never_documents_a_stack_trace(doc):
    assert "stack_trace" not in doc["components"]["schemas"]["Error"]["properties"]


def test_response_example_matches_the_record_schema(doc):
    record = doc["components"]["schemas"]["Recommendation"]
    assert list(record["example"]) == list(OUTPUT_COLUMNS)
    _validate_oas30(record["example"], record)
