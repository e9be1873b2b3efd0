"""`netflix-recommend`: ask a running scoring server for recommendations and print a table."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

import requests

DEFAULT_URL = "http://127.0.0.1:5000"
_COLUMNS = (("rank", 4), ("title", 38), ("type", 7), ("release_year", 4), ("score", 5), ("reason", 60))
_GAP = "  "
# Narrower than the full table: each reason goes under its row, wrapped, indented this much.
_INDENT = 6


def build_body(args: argparse.Namespace) -> dict:
    """The /invocations JSON body for the command-line arguments."""
    record = {}
    if args.title:
        record["title"] = args.title
    if args.description:
        record["description"] = args.description
    params = {"k": args.k}
    for name in ("type", "genre", "country", "rating", "min_year", "max_year"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    return {"dataframe_records": [record], "params": params}


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 80."""
    return shutil.get_terminal_size((80, 24)).columns


def _cell(text: str, width: int) -> str:
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def _text(record: dict, name: str) -> str:
    value = record.get(name, "")
    return f"{value:.3f}" if name == "score" else str(value)


def format_table(predictions: list[dict], width: int | None = None) -> str:
    """A table of recommendation records no wider than `width` (default: the terminal's).

    Wide enough for every column, one line per title (the reason takes the rest of the width,
    cut with '…'). Narrower, each reason goes on the lines below its title, wrapped, and the
    title column takes what is left, cutting long titles with '…'.
    """
    width = max(40, width or terminal_width())
    if not predictions:
        return "no titles match"
    lines = []
    query = predictions[0].get("query_title")
    if query:
        lines.append(_cell(f"Because you liked: {query}", width).rstrip())
    full = sum(w for _, w in _COLUMNS) + len(_GAP) * (len(_COLUMNS) - 1)
    columns = list(_COLUMNS)
    if width >= full:
        columns[-1] = ("reason", width - full + _COLUMNS[-1][1])
    else:
        columns = columns[:-1]
        others = sum(w for name, w in columns if name != "title") + len(_GAP) * (len(columns) - 1)
        columns[1] = ("title", width - others)
    lines.append(_GAP.join(_cell(name.replace("release_year", "year"), w) for name, w in columns).rstrip())
    for record in predictions:
        lines.append(_GAP.join(_cell(_text(record, name), w) for name, w in columns).rstrip())
        if len(columns) < len(_COLUMNS):
            lines += textwrap.wrap(_text(record, "reason"), width, initial_indent=" " * _INDENT,
                                   subsequent_indent=" " * _INDENT, break_on_hyphens=False)
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netflix-recommend", description=__doc__)
    parser.add_argument("title", nargs="?", default="", help="a catalogue title you liked")
    parser.add_argument("-d", "--description", default="", help="free text: what you feel like watching")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--type", choices=("Movie", "TV Show"))
    parser.add_argument("--genre")
    parser.add_argument("--country")
    parser.add_argument("--rating")
    parser.add_argument("--min-year", dest="min_year", type=int)
    parser.add_argument("--max-year", dest="max_year", type=int)
    parser.add_argument("--url", default=DEFAULT_URL, help=f"scoring server (default {DEFAULT_URL})")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if not args.title and not args.description:
        parser.error("give a title or --description")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    url = args.url.rstrip("/") + "/invocations"
    try:
        response = requests.post(url, json=build_body(args), timeout=args.timeout)
    except requests.ConnectionError:
        print(f"cannot reach {url}: is the server running (make serve)?", file=sys.stderr)
        return 2
    if response.status_code != 200:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        text = f"error {response.status_code}: {message.split('Error: ')[-1]}"
        print(textwrap.fill(text, terminal_width(), subsequent_indent="  ", break_on_hyphens=False), file=sys.stderr)
        return 1
    print(format_table(response.json()["predictions"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
