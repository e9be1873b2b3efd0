"""`netflix-recommend` output fits the terminal: COLUMNS=80 means no line over 80 characters."""

import pytest

from netflix_pyfunc import client

LONG = {
    "row": 0, "rank": 1, "show_id": "s1",
    "title": "The Road to El Camino: Behind the Scenes of El Camino: A Breaking Bad Movie",
    "type": "Movie", "release_year": 2019, "score": 0.123456,
    "reason": "similar title; genre: Documentaries, International Movies; director: Someone Withalongname; "
              "cast: Aaron Paul, Bryan Cranston, Jesse Plemons; about: breaking, camino, scenes",
    "query_title": "El Camino: A Breaking Bad Movie", "query_show_id": "s2",
}
SHORT = {**LONG, "rank": 2, "title": "Rocky", "reason": "genre: Dramas"}


class Reply:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body
        self.text = str(body)

    def json(self):
        return self._body


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 127, 128, 200])
def test_table_fits_the_width(columns):
    table = client.format_table([LONG, SHORT], columns)
    assert max(len(line) for line in table.splitlines()) <= columns
    assert table.splitlines()[0].startswith("Because you liked: El Camino")


def test_narrow_table_wraps_reasons_under_their_title():
    lines = client.format_table([LONG, SHORT], 80).splitlines()
    rows = [i for i, line in enumerate(lines) if line[:1].isdigit()]
    assert len(rows) == 2
    under = " ".join(line.strip() for line in lines[rows[0] + 1:rows[1]])
    assert under == LONG["reason"]       # the whole reason, wrapped, nothing cut
    assert lines[rows[1] + 1].strip() == "genre: Dramas"


def test_wide_table_keeps_one_line_per_title():
    lines = client.format_table([LONG, SHORT], 200).splitlines()
    assert len(lines) == 4 and lines[1].split() == ["rank", "title", "type", "year", "score", "reason"]


@pytest.mark.parametrize(
    "reply, stream",
    [
        (Reply(200, {"predictions": [LONG, SHORT]}), "out"),
        (Reply(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "Failed to predict data. Error: row 0: "
                     "unknown title 'Qwxz Plonk Manor'. Did you mean: Quiz Show Scandal; Planet Manor Money Heist? "
                     "To search by words instead, send them as 'description'."}), "err"),
    ],
)
def test_command_with_columns_80_prints_no_line_over_80(monkeypatch, capsys, reply, stream):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(client.requests, "post", lambda *args, **kwargs: reply)
    assert client.main(["El Camino"]) == (0 if reply.status_code == 200 else 1)
    printed = getattr(capsys.readouterr(), stream)
    assert printed.strip()
    assert max(len(line) for line in printed.splitlines()) <= 80
