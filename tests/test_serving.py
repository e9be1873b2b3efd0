"""End to end: `train.py` registers a champion, `mlflow models serve` answers over HTTP.

Every bad input must come back as HTTP 400 JSON that names the problem, with no stack trace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient
from serving_fixtures import invoke

from netflix_pyfunc.client import main as client_main

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
pytest_plugins = ("serving_fixtures",)


@pytest.fixture(scope="module")
def store(trained_store):
    return trained_store


@pytest.fixture(scope="module")
def server(live_server):
    return live_server.url


def test_champion_registered(store):
    tmp, env = store
    client = MlflowClient(tracking_uri=env["MLFLOW_TRACKING_URI"])
    version = client.get_model_version_by_alias("netflix-recommender", "champion")
    assert str(version.version) == "1"


def test_title_query(server):
    response = invoke(server, {"dataframe_records": [{"title": "Rocky"}], "params": {"k": 5}})
    assert response.status_code == 200
    records = response.json()["predictions"]
    assert [r["rank"] for r in records] == [1, 2, 3, 4, 5]
    assert {"Rocky II", "Rocky III", "Rocky IV"} <= {r["title"] for r in records}
    assert all(r["query_title"] == "Rocky" for r in records)


def test_misspelled_title_says_what_it_resolved_to(server):
    records = invoke(server, {"dataframe_records": [{"title": "midnight mas"}], "params": {"k": 3}}).json()["predictions"]
    assert records[0]["query_title"] == "Midnight Mass"
    assert "Midnight Mass" not in {r["title"] for r in records}


def test_description_query_with_filters_and_split_orient(server):
    body = {
        "dataframe_split": {"columns": ["description"], "data": [["astronauts stranded far from earth"]]},
        "params": {"k": 4, "type": "Movie", "min_year": 2010},
    }
    records = invoke(server, body).json()["predictions"]
    assert len(records) == 4
    assert all(r["type"] == "Movie" and r["release_year"] >= 2010 for r in records)


def test_batch_of_rows(server):
    body = {"inputs": [{"title": "Rocky"}, {"description": "a haunted house"}, {"title": "Kung Fu Panda"}], "params": {"k": 2}}
    records = invoke(server, body).json()["predictions"]
    assert [r["row"] for r in records] == [0, 0, 1, 1, 2, 2]


BAD_INPUTS = {
    "both columns missing": {"dataframe_records": [{}]},
    "both columns empty": {"dataframe_records": [{"title": "", "description": " "}]},
    "null": {"dataframe_records": [{"title": None}]},
    "non-string title": {"dataframe_records": [{"title": 42}]},
    "non-string description": {"dataframe_records": [{"description": ["a", "list"]}]},
    "unknown title": {"dataframe_records": [{"title": "Qwxz Plonk Manor"}]},
    "k zero": {"dataframe_records": [{"title": "Rocky"}], "params": {"k": 0}},
    "k too large": {"dataframe_records": [{"title": "Rocky"}], "params": {"k": 101}},
    "k not a number": {"dataframe_records": [{"title": "Rocky"}], "params": {"k": "ten"}},
    "unknown type": {"dataframe_records": [{"title": "Rocky"}], "params": {"type": "Podcast"}},
    "min_year > max_year": {"dataframe_records": [{"title": "Rocky"}], "params": {"min_year": 2020, "max_year": 2000}},
    "unknown rating": {"dataframe_records": [{"title": "Rocky"}], "params": {"rating": "XXX"}},
    "1 MB description": {"dataframe_records": [{"description": "space " * 174763}]},
    "1,001 rows": {"dataframe_records": [{"title": "Rocky"}] * 1001},
    "no rows": {"dataframe_records": []},
    "not JSON": b"{this is not json",
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_400_json_without_stack_trace(server, case):
    response = invoke(server, BAD_INPUTS[case])
    assert response.status_code == 400, response.text[:500]
    body = response.json()
    assert body["error_code"] in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "MALFORMED_REQUEST")
    assert body["message"]
    assert "Traceback" not in response.text and "stack_trace" not in body
    assert len(response.text) < 20_000


def test_unknown_title_message_suggests_titles(server):
    body = invoke(server, {"dataframe_records": [{"title": "Rocky Forever"}]}).json()
    assert "Did you mean: Rocky" in body["message"]


def test_server_still_answers_after_bad_inputs(server):
    assert invoke(server, {"dataframe_records": [{"title": "Rocky"}], "params": {"k": 1}}).status_code == 200


def test_client_command_prints_table(server, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert client_main(["Kung Fu Panda", "--k", "3", "--type", "Movie", "--url", server]) == 0
    out = capsys.readouterr().out
    assert "Because you liked: Kung Fu Panda" in out
    assert "Kung Fu Panda 2" in out
    assert [line.split()[0] for line in out.splitlines() if line[:1].isdigit()] == ["1", "2", "3"]
    assert max(len(line) for line in out.splitlines()) <= 80


def test_client_command_reports_client_errors(server, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert client_main(["Qwxz Plonk Manor", "--url", server]) == 1
    err = capsys.readouterr().err
    assert "error 400" in err and "send them as 'description'" in " ".join(err.split())
    assert max(len(line) for line in err.splitlines()) <= 80


def readme_examples() -> list[tuple[dict, dict | None]]:
    """(body, shown output or None) for each curl example in the README: the output is the
    ```json block right after the curl's own block, when that block holds one curl."""
    import re

    blocks = re.findall(r"```(\w*)\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    examples = []
    for i, (_, code) in enumerate(blocks):
        bodies = re.findall(r"-d '(\{.*?\})'", code, flags=re.S)
        follows = i + 1 < len(blocks) and blocks[i + 1][0] == "json" and len(bodies) == 1
        for text in bodies:
            examples.append((json.loads(text), json.loads(blocks[i + 1][1]) if follows else None))
    return examples


def assert_as_shown(actual: dict, shown: dict) -> None:
    """Titles, order, reasons and messages exactly; scores as rounded in the README."""
    if "predictions" not in shown:
        assert actual == shown
        return
    assert len(actual["predictions"]) == len(shown["predictions"])
    for got, expected in zip(actual["predictions"], shown["predictions"]):
        assert got["score"] == pytest.approx(expected["score"], abs=1e-3), (got, expected)
        assert {**got, "score": None} == {**expected, "score": None}


def test_readme_curl_examples_answer_as_shown(server):
    examples = readme_examples()
    assert len(examples) >= 7 and sum(shown is not None for _, shown in examples) >= 4
    assert any(shown and "error_code" in shown for _, shown in examples)
    for body, shown in examples:
        response = invoke(server, body)
        if shown is not None:
            assert response.status_code == (400 if "error_code" in shown else 200), response.text[:300]
            assert_as_shown(response.json(), shown)
            continue
        assert response.status_code == 200, (body, response.text[:300])
        k = body.get("params", {}).get("k", 10)
        assert len(response.json()["predictions"]) == k * len(body["dataframe_records"]), body
