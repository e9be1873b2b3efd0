"""`netflix-recommend`: ask a running scoring server for recommendations and print a table."""

from __future__ import annotations

import argparse
import sys

import requests

DEFAULT_URL = "http://127.0.0.1:5000"
_COLUMNS = (("rank", 4), ("title", 38), ("type", 7), ("release_year", 4), ("score", 5), ("reason", 60))


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


def format_table(predictions: list[dict]) -> str:
    """Fixed-width table of recommendation records; long cells are cut with '…'."""
    if not predictions:
        return "no titles match"
    lines = []
    query = predictions[0].get("query_title")
    if query:
        lines.append(f"Because you liked: {query}")
    lines.append("  ".join(name.replace("release_year", "year").ljust(width)[:width] for name, width in _COLUMNS))
    for record in predictions:
        cells = []
        for name, width in _COLUMNS:
            value = record.get(name, "")
            text = f"{value:.3f}" if name == "score" else str(value)
            cells.append(text if len(text) <= width else text[: width - 1] + "…")
            cells[-1] = cells[-1].ljust(width)
        lines.append("  ".join(cells).rstrip())
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
        print(f"error {response.status_code}: {message.split('Error: ')[-1]}", file=sys.stderr)
        return 1
    print(format_table(response.json()["predictions"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
