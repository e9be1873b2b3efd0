"""OpenAPI 3 document for the served model, generated from the model signature and the
request limits so that it cannot drift from what the server enforces.

    python -m netflix_pyfunc.openapi > docs/openapi.json
    python -m netflix_pyfunc.openapi --server http://my-lb-ip --check > openapi.json

It describes `mlflow models serve` (port 5000 by default) for this model: /invocations with
the request shapes MLflow accepts for a DataFrame signature (dataframe_records,
dataframe_split, inputs; each with params), the recommendation records, the error bodies,
and the health and version endpoints. In the MLflow image, nginx on :8080 proxies only
/ping and /invocations.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .catalog import TYPES
from .params import MAX_DESCRIPTION_CHARS, MAX_K, MAX_ROWS, MAX_TITLE_CHARS, PARAMS

OPENAPI_VERSION = "3.0.3"
DEFAULT_SERVER = "http://127.0.0.1:5000"
API_VERSION = "1.0.0"  # the request/response contract; bump when it changes
REF = "#/components/schemas/"

# MLflow DataType name -> JSON Schema.
_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "long": {"type": "integer", "format": "int64"},
    "integer": {"type": "integer", "format": "int32"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "boolean": {"type": "boolean"},
}

_INPUT_LIMITS = {"title": MAX_TITLE_CHARS, "description": MAX_DESCRIPTION_CHARS}
_INPUT_HELP = {
    "title": "a catalogue title you liked; case, accents, punctuation and small typos are forgiven",
    "description": "free text about what you feel like watching; a title named in full after 'like' or "
                   "'similar to' ('something like Midnight Mass') is answered as that title's query",
}
_OUTPUT_HELP = {
    "row": "index of the input row this recommendation answers",
    "rank": "1..k within the row",
    "show_id": "catalogue key of the recommended title",
    "title": "recommended title",
    "type": "'Movie' or 'TV Show'",
    "release_year": "release year",
    "rating": "maturity rating, e.g. 'TV-MA' (may be empty)",
    "listed_in": "genres, comma separated",
    "country": "production countries, comma separated (may be empty)",
    "score": "similarity, higher is closer; never increases down a row",
    "reason": "why it was recommended; built only from catalogue text (genres, people, catalogue terms)",
    "query_title": "the catalogue title the input title resolved to, or the one the description named "
                   "('something like ...'); '' for any other description-only row",
    "query_show_id": "show_id of query_title ('' when query_title is '')",
}
# Shown by Swagger UI; a real answer for {"title": "Rocky"}.
_EXAMPLE_RECORD = {
    "row": 0, "rank": 1, "show_id": "s7882", "title": "Rocky III", "type": "Movie", "release_year": 1982,
    "rating": "PG", "listed_in": "Dramas, Sports Movies", "country": "United States", "score": 0.572534,
    "reason": "similar title; genre: Dramas; director: Sylvester Stallone; cast: Sylvester Stallone, "
              "Talia Shire, Burt Young; about: world champ, apollo creed, rocky balboa",
    "query_title": "Rocky", "query_show_id": "s7880",
}
_PARAM_LIMITS: dict[str, dict[str, Any]] = {
    "k": {"minimum": 1, "maximum": MAX_K},
    "type": {"enum": [*TYPES, ""]},
    "min_year": {"nullable": True},
    "max_year": {"nullable": True},
}


def _json_type(mlflow_type: Any) -> dict[str, Any]:
    name = getattr(mlflow_type, "name", str(mlflow_type))
    try:
        return dict(_TYPES[name])
    except KeyError:
        raise ValueError(f"no JSON Schema mapping for MLflow type {name!r}") from None


def _input_cell(name: str, mlflow_type: Any) -> dict[str, Any]:
    schema = {**_json_type(mlflow_type), "nullable": True, "description": _INPUT_HELP.get(name, "")}
    if name in _INPUT_LIMITS:
        schema["maxLength"] = _INPUT_LIMITS[name]
    return schema


def build(server: str = DEFAULT_SERVER) -> dict[str, Any]:
    """The OpenAPI document as a dict (deterministic: same code, same output)."""
    from .model import input_example, signature

    sig = signature()
    inputs = [(spec.name, spec.type) for spec in sig.inputs.inputs]
    outputs = [(spec.name, spec.type) for spec in sig.outputs.inputs]
    param_specs = {spec.name: spec for spec in sig.params.params}
    if set(param_specs) != {p.name for p in PARAMS}:
        raise ValueError("model.signature() params and params.PARAMS disagree")
    input_names = [name for name, _ in inputs]
    example = input_example()
    example_rows = [{c: v for c, v in row.items() if v} for row in example.to_dict(orient="records")]
    example_params = {"k": 5}

    row_schema = {
        "type": "object",
        "description": "One query. Give a non-empty 'title' or 'description' (or both: both are used).",
        "properties": {name: _input_cell(name, t) for name, t in inputs},
        "additionalProperties": False,
        "minProperties": 1,
    }
    params_props = {}
    for p in PARAMS:
        spec = param_specs[p.name]
        schema = {**_json_type(spec.dtype), "description": p.help, **_PARAM_LIMITS.get(p.name, {})}
        if spec.default is not None:
            schema["default"] = spec.default
        params_props[p.name] = schema
    params_schema = {
        "type": "object",
        "description": "Request parameters (MLflow ParamSchema). Omitted ones take their default. "
                       "Unknown names are ignored by MLflow's server, not rejected.",
        "properties": params_props,
        "additionalProperties": False,
    }
    cell = {"type": "string", "nullable": True, "maxLength": max(_INPUT_LIMITS.values())}
    schemas: dict[str, Any] = {
        "QueryRow": row_schema,
        "Params": params_schema,
        "DataframeRecordsRequest": {
            "type": "object",
            "description": "Rows as a list of objects (pandas orient='records').",
            "required": ["dataframe_records"],
            "properties": {
                "dataframe_records": {"type": "array", "minItems": 1, "maxItems": MAX_ROWS,
                                      "items": {"$ref": REF + "QueryRow"}},
                "params": {"$ref": REF + "Params"},
            },
            "additionalProperties": False,
            "example": {"dataframe_records": example_rows, "params": example_params},
        },
        "DataframeSplitRequest": {
            "type": "object",
            "description": "Column names plus rows of values (pandas orient='split').",
            "required": ["dataframe_split"],
            "properties": {
                "dataframe_split": {
                    "type": "object",
                    "required": ["columns", "data"],
                    "properties": {
                        "columns": {"type": "array", "minItems": 1, "maxItems": len(input_names),
                                    "uniqueItems": True, "items": {"type": "string", "enum": input_names}},
                        "data": {"type": "array", "minItems": 1, "maxItems": MAX_ROWS,
                                 "items": {"type": "array", "minItems": 1, "maxItems": len(input_names),
                                           "items": cell}},
                        "index": {"type": "array", "items": {"type": "integer"}},
                    },
                    "additionalProperties": False,
                },
                "params": {"$ref": REF + "Params"},
            },
            "additionalProperties": False,
            "example": {
                "dataframe_split": {"columns": input_names,
                                    "data": example[input_names].values.tolist()},
                "params": example_params,
            },
        },
        "InputsRequest": {
            "type": "object",
            "description": "MLflow's 'inputs' key: a list of row objects, or an object of column lists. "
                           "MLflow turns every value into a string here (null becomes 'None'); "
                           "prefer dataframe_records or dataframe_split.",
            "required": ["inputs"],
            "properties": {
                "inputs": {
                    "oneOf": [
                        {"type": "array", "minItems": 1, "maxItems": MAX_ROWS, "items": {"$ref": REF + "QueryRow"}},
                        {"type": "object", "minProperties": 1, "additionalProperties": False,
                         "properties": {name: {"type": "array", "minItems": 1, "maxItems": MAX_ROWS,
                                               "items": _input_cell(name, t)} for name, t in inputs}},
                    ]
                },
                "params": {"$ref": REF + "Params"},
            },
            "additionalProperties": False,
            "example": {"inputs": example_rows, "params": example_params},
        },
        "Recommendation": {
            "type": "object",
            "example": _EXAMPLE_RECORD,
            "required": [name for name, _ in outputs],
            "properties": {name: {**_json_type(t), "description": _OUTPUT_HELP.get(name, "")} for name, t in outputs},
        },
        "Predictions": {
            "type": "object",
            "required": ["predictions"],
            "properties": {
                "predictions": {
                    "type": "array",
                    "description": f"Flat records: for each input row, up to k recommendations (k <= {MAX_K}), "
                                   "ordered by row then rank.",
                    "items": {"$ref": REF + "Recommendation"},
                }
            },
        },
        "Error": {
            "type": "object",
            "description": "MLflow's error body. For a request the model rejects, `message` is "
                           "\"Failed to predict data '<the input as a table>'. \\nError: <what is wrong>\". "
                           "It never carries a stack trace.",
            "required": ["error_code", "message"],
            "properties": {
                "error_code": {"type": "string", "example": "INVALID_PARAMETER_VALUE"},
                "message": {"type": "string"},
                "error_class": {"type": "string"},
                "sqlstate": {"type": "string"},
            },
        },
    }
    error = {"application/json": {"schema": {"$ref": REF + "Error"}, "example": {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": "Failed to predict data '          title\n0  Rocky Forever'. \nError: row 0: unknown title "
                   "'Rocky Forever'. Did you mean: Rocky V; Rocky IV; Another Forever?",
    }}}
    bug = {"application/json": {"schema": {"$ref": REF + "Error"}, "example": {
        "error_code": "INTERNAL_ERROR",
        "message": "Failed to predict data '   title\n0  Rocky'. \nError: internal error while recommending "
                   "(ref 3f2a9c1b7d4e); the server log has the details",
    }}}
    def nginx_error(message: str) -> dict:
        return {"application/json": {"schema": {"$ref": REF + "Error"},
                                     "example": {"error_code": "BAD_REQUEST", "message": message}}}

    text = {"text/plain": {"schema": {"type": "string"}}}
    not_json = {"application/json": {}}  # MLflow labels these bodies JSON but they are not
    invocations = {
        "post": {
            "operationId": "invocations",
            "tags": ["recommendations"],
            "summary": "Recommend titles",
            "description": (
                "Each input row is a catalogue title, a free-text description, or both. Filters "
                "(params) apply before ranking, so k results come back whenever k titles match. "
                f"Limits: at most {MAX_ROWS} rows, title {MAX_TITLE_CHARS} and description "
                f"{MAX_DESCRIPTION_CHARS} characters, k 1..{MAX_K}. "
                "Send `Content-Type: application/json` (charset utf-8 only)."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"oneOf": [
                    {"$ref": REF + "DataframeRecordsRequest"},
                    {"$ref": REF + "DataframeSplitRequest"},
                    {"$ref": REF + "InputsRequest"},
                ]}}},
            },
            "responses": {
                "200": {"description": "Recommendations",
                        "content": {"application/json": {"schema": {"$ref": REF + "Predictions"}}}},
                "400": {"description": "The request is invalid; `message` names the problem "
                                       "(unknown titles get suggestions).", "content": error},
                "413": {"description": "Body over 8 MB (the serving image's nginx; JSON error body).",
                        "content": nginx_error("request body larger than 8 MB; send at most 1000 rows")},
                "415": {"description": "Unsupported Content-Type or charset (text/plain from "
                                       "`mlflow models serve`, JSON from the serving image's nginx).",
                        "content": {**nginx_error("send the request as Content-Type: application/json (UTF-8)"),
                                    **text}},
                "500": {"description": "A server bug (`error_code` INTERNAL_ERROR, a reference to the "
                                       "server log, no internals). `mlflow models serve` itself answers "
                                       "a bare 500 text/plain when the Content-Type header is missing; "
                                       "the serving image's nginx sends such requests on as JSON.",
                        "content": {**bug, **text}},
                "504": {"description": "Took longer than MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT.",
                        "content": not_json},
            },
        }
    }
    health = {
        "get": {
            "tags": ["operations"],
            "summary": "Health: 200 once the model is loaded",
            "description": "The server loads the model before it listens, so any answer means "
                           "the model is loaded. The body is a newline.",
            "responses": {"200": {"description": "Model loaded", "content": not_json},
                          "404": {"description": "Model not loaded", "content": not_json}},
        }
    }
    ping = json.loads(json.dumps(health))
    ping["get"]["operationId"] = "ping"
    health["get"]["operationId"] = "health"
    health["get"]["description"] += " Not proxied by the nginx of the MLflow image (port 8080)."
    version = {
        "get": {
            "operationId": "version",
            "tags": ["operations"],
            "summary": "MLflow version of the server",
            "description": "Not proxied by the nginx of the MLflow image (port 8080).",
            "responses": {"200": {"description": "e.g. 3.17.2 (plain text labelled application/json)",
                                  "content": not_json}},
        }
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Netflix recommender (MLflow pyfunc)",
            "version": API_VERSION,
            "description": (
                "Content-based recommendations from the 8,807-title Netflix catalogue, served by "
                "`mlflow models serve`. Generated from the model signature by "
                "`python -m netflix_pyfunc.openapi`."
            ),
        },
        "servers": [{"url": server}],
        "paths": {"/invocations": invocations, "/ping": ping, "/health": health, "/version": version},
        "components": {"schemas": schemas},
    }


def validate(document: dict[str, Any]) -> None:
    """Raise if `document` is not a valid OpenAPI 3.0 document.

    Uses the official OpenAPI 3.0 JSON Schema (2019-04-02) that schemathesis ships, checked
    with jsonschema; both are dev dependencies, not needed to generate the document.
    """
    import jsonschema
    from schemathesis.specs.openapi.definitions import OPENAPI_30

    jsonschema.Draft4Validator(OPENAPI_30).validate(document)
    json.loads(json.dumps(document))  # plain JSON only


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the OpenAPI document of the served model.")
    parser.add_argument("--server", default=DEFAULT_SERVER, help=f"server URL in the document (default {DEFAULT_SERVER})")
    parser.add_argument("--check", action="store_true", help="validate against the OpenAPI 3.0 schema first")
    args = parser.parse_args(argv)
    document = build(args.server)
    if args.check:
        validate(document)
    sys.stdout.write(render(document))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
