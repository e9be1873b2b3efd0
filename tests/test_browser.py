"""The search page (web/) in a real browser: Debian's Chromium driven by Playwright for Python,
against the trained champion (the shared session server of serving_fixtures) behind the
image's own deploy/nginx.conf, run locally by deploy/local_nginx.py exactly as `make app` does.

Covers: autocomplete -> pick -> cards, a free-text search, filters, errors without MLflow's
wrapper, deep links, "more like this" and the back button, API strings rendered as text,
keyboard and phone-width use, the same title keys as the server, Swagger UI's "Try it out",
and that nothing is fetched from another origin.

Needs: chromium (apt-get install -y chromium fonts-dejavu-core), nginx, and the dev extra's
playwright (never `playwright install`: the browser is Debian's). Missing pieces fail when CI
is set and skip otherwise. SCREENSHOT_DIR=dir saves desktop and phone screenshots there.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from deploy_tools import find_tool

pytest_plugins = ("serving_fixtures",)
pytest.register_assert_rewrite("serving_fixtures")
from harness import free_port  # noqa: E402
from serving_fixtures import invoke  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "web"))
from build_site import build_site  # noqa: E402
from local_nginx import find_nginx, running_nginx  # noqa: E402

from netflix_pyfunc.catalog import normalize_text  # noqa: E402

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright missing: pip install -e '.[dev]'")
expect = playwright_api.expect

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 60_000  # a busy 2-core machine answers slowly; a broken page never does


@pytest.fixture(scope="session")
def app_url(live_server):
    """The page, /docs and /invocations on one loopback origin, as `make app` serves them."""
    chromium = find_tool("chromium", "apt-get install -y chromium fonts-dejavu-core")
    if find_nginx() is None:
        find_tool("nginx", "apt-get install -y nginx")
    # not pytest's tmp dir: as root, nginx's worker is `nobody` and pytest's base dir is 0700
    site = Path(tempfile.mkdtemp(prefix="netflix-site-"))
    site.chmod(0o755)
    try:
        build_site(site, ROOT / "data" / "netflix_titles.csv", ROOT / "build" / "cache")
        upstream = urlsplit(live_server.url).port
        port = free_port()
        with running_nginx(port=port, upstream_port=upstream, site=site):
            yield f"http://127.0.0.1:{port}", chromium
    finally:
        shutil.rmtree(site, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(app_url):
    _, chromium = app_url
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def base(app_url) -> str:
    return app_url[0]


@pytest.fixture
def open_page(browser, base):
    """open_page(path, viewport=DESKTOP, ready=True): a fresh page at base+path that records the
    URLs it requests and its script errors; with ready, waits until the catalogue is loaded."""
    pages = []

    def open_(path="/", viewport=DESKTOP, ready=True):
        page = browser.new_page(viewport=viewport)
        pages.append(page)
        page.set_default_timeout(TIMEOUT_MS)
        page.requests, page.errors = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(base + path)
        if ready:
            expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT_MS)
        return page

    yield open_
    for page in pages:
        page.close()


def titles_from_api(base, query, params=None) -> list[str]:
    response = invoke(base, {"dataframe_records": [query], "params": params or {}})
    assert response.status_code == 200, response.text
    return [p["title"] for p in response.json()["predictions"]]


def card_titles(page) -> list[str]:
    return page.locator(".card .card-title").all_inner_texts()


def url_params(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_cards(page, status_text):
    expect(page.locator("#status")).to_contain_text(status_text, timeout=TIMEOUT_MS)
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true", timeout=TIMEOUT_MS)


def shoot(page, name):
    if out := os.environ.get("SCREENSHOT_DIR"):
        Path(out).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(out) / f"{name}.png"))


def test_autocomplete_keyboard_pick_shows_cards(open_page, base):
    page = open_page()
    box = page.locator("#q")
    box.press_sequentially("midnight ma")
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_contain_text("Midnight Mass")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")  # closes the list, keeps the text
    expect(page.locator("#suggestions")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")  # reopens with the first option highlighted
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    wait_for_cards(page, "Titles like “Midnight Mass”")
    assert url_params(page) == {"title": "Midnight Mass"}
    assert card_titles(page) == titles_from_api(base, {"title": "Midnight Mass"})
    first = page.locator(".card").first
    for part in (".type", ".year", ".rating", ".genres", ".country", ".reason", ".score-text"):
        assert first.locator(part).inner_text().strip(), part
    assert float(first.locator(".fill").evaluate("e => parseFloat(e.style.width)")) == pytest.approx(100)
    shoot(page, "desktop-autocomplete-pick")
    assert not page.errors


def test_suggestions_ignore_case_and_accents(open_page, base):
    page = open_page()
    page.locator("#q").press_sequentially("POKEMON INDIGO")
    expect(page.locator("#suggestions [role=option]").first).to_contain_text("Pokémon: Indigo League")


@pytest.mark.parametrize(("text", "heading", "same_as"), [
    ("astronauts stranded far from earth", "Titles matching “astronauts stranded far from earth”",
     {"description": "astronauts stranded far from earth"}),
    # a wish that names a title is answered as that title's query
    ("something like Midnight Mass", "Titles like “Midnight Mass” (from “something like Midnight Mass”)",
     {"title": "Midnight Mass"}),
    # ... and with words that only say what kind, as that title's query with that kind first
    ("something like Narcos but funny", "Titles like “Narcos” (from “something like Narcos but funny”)",
     {"title": "Narcos", "description": "funny"}),
])
def test_free_text_enter_searches_descriptions(open_page, base, text, heading, same_as):
    page = open_page()
    page.locator("#q").fill(text)
    page.locator("#q").press("Enter")
    wait_for_cards(page, heading)
    shoot(page, "desktop-" + "-".join(text.split()[:3]))
    assert url_params(page) == {"description": text}
    assert card_titles(page) == titles_from_api(base, same_as)


def test_filters_rerun_the_search_and_land_in_the_url(open_page, base):
    page = open_page("/?title=Midnight%20Mass")
    wait_for_cards(page, "Titles like “Midnight Mass”")
    page.select_option("#f-type", "Movie")
    wait_for_cards(page, "Titles like")
    expect(page.locator(".card .type").first).to_have_text("Movie")
    page.locator("#f-min-year").fill("2019")
    page.locator("#f-min-year").press("Enter")
    expect(page).to_have_url(f"{base}/?title=Midnight+Mass&type=Movie&min_year=2019", timeout=TIMEOUT_MS)
    wait_for_cards(page, "Titles like")
    assert set(page.locator(".card .type").all_inner_texts()) == {"Movie"}
    assert min(int(y) for y in page.locator(".card .year").all_inner_texts()) >= 2019
    assert card_titles(page) == titles_from_api(base, {"title": "Midnight Mass"}, {"type": "Movie", "min_year": 2019})
    # the filter lists come from the catalogue
    assert page.locator("#f-country option", has_text="South Korea").count() == 1
    assert page.locator("#f-rating option", has_text="TV-MA").count() == 1


@pytest.mark.parametrize(("path", "message"), [
    ("/?title=Midnight%20Mass&min_year=2020&max_year=2010", "param 'min_year' (2020) is greater than 'max_year' (2010)"),
    ("/?title=zqxjv%20wpqk", "unknown title 'zqxjv wpqk'"),
])
def test_errors_show_the_apis_message_without_mlflows_wrapper(open_page, base, path, message):
    page = open_page(path, viewport=PHONE)
    error = page.locator("#error")
    expect(error).to_be_visible(timeout=TIMEOUT_MS)
    expect(error).to_contain_text(message)
    assert not error.inner_text().startswith("Failed to predict")
    assert "Failed to predict" not in error.inner_text()
    assert page.locator(".card").count() == 0
    # on a phone the filters start folded; a rejected filter unfolds them
    expect(page.locator("#filters-panel")).to_have_js_property("open", message.startswith("param"))


def test_deep_link_fills_the_form_and_renders(open_page, base):
    text = "a heist in Spain"
    page = open_page("/?description=a%20heist%20in%20Spain&type=Movie&k=5")
    wait_for_cards(page, f"Titles matching “{text}”")
    assert card_titles(page) == titles_from_api(base, {"description": text}, {"type": "Movie", "k": 5})
    assert len(card_titles(page)) == 5
    expect(page.locator("#q")).to_have_value(text)
    expect(page.locator("#f-type")).to_have_value("Movie")
    expect(page.locator("#f-k")).to_have_value("5")


def test_more_like_this_and_the_back_button(open_page, base):
    page = open_page("/?title=Midnight%20Mass&k=4")
    wait_for_cards(page, "Titles like “Midnight Mass”")
    before = card_titles(page)
    page.locator(".card .more").first.click()
    wait_for_cards(page, f"Titles like “{before[0]}”")
    assert url_params(page) == {"title": before[0], "k": "4"}
    assert card_titles(page) == titles_from_api(base, {"title": before[0]}, {"k": 4})
    expect(page.locator("#q")).to_have_value(before[0])
    page.go_back()
    wait_for_cards(page, "Titles like “Midnight Mass”")
    assert card_titles(page) == before
    # clicking anywhere on a card asks too
    page.locator(".card .reason").nth(1).click()
    wait_for_cards(page, f"Titles like “{before[1]}”")


def test_api_strings_are_rendered_as_text(open_page, base):
    page = open_page()
    evil = '<img src=x onerror="window.pwned=1">'
    row = {"row": 0, "rank": 1, "show_id": "s1", "title": evil, "type": "Movie", "release_year": 2020,
           "rating": "<b>R</b>", "listed_in": "<script>window.pwned=2</script>", "country": "", "score": 0.5,
           "reason": evil, "query_title": evil, "query_show_id": "s1"}
    page.route("**/invocations", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"predictions": [row]})))
    page.locator("#q").fill("anything at all")
    page.locator("#q").press("Enter")
    expect(page.locator(".card-title")).to_have_text(evil)
    expect(page.locator(".card .genres")).to_have_text("<script>window.pwned=2</script>")
    assert page.locator("#results img, #results script, #results b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_keyboard_only_and_visible_focus(open_page, base):
    page = open_page("/?title=Midnight%20Mass&k=3")
    wait_for_cards(page, "Titles like")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # API docs link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    # every form control has a label
    unlabelled = page.evaluate("""[...document.querySelectorAll('input, select')]
        .filter(e => !e.labels || e.labels.length === 0).map(e => e.id)""")
    assert unlabelled == []
    more = page.locator(".card .more").first
    title = page.locator(".card .card-title").first.inner_text()
    more.focus()
    page.keyboard.press("Enter")
    wait_for_cards(page, f"Titles like “{title}”")


def test_phone_width_has_no_sideways_scrolling(open_page, base):
    page = open_page("/?title=Narcos&type=TV%20Show&k=5", viewport=PHONE)
    wait_for_cards(page, "Titles like “Narcos”")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".card").first).to_be_in_viewport()  # the filters start folded
    expect(page.locator("#filter-count")).to_have_text("· 2 set")
    shoot(page, "phone-results")
    page.locator("#filters-panel summary").click()
    expect(page.locator("#f-type")).to_be_visible()
    expect(page.locator("#f-type")).to_have_value("TV Show")
    page.locator("#q").fill("kung fu")
    page.locator("#q").press("ArrowDown")
    expect(page.locator("#suggestions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "phone-autocomplete")


def test_page_keys_match_the_servers_normalize_text(open_page, base):
    page = open_page()
    titles = [row[0] for row in json.loads(page.evaluate("fetch('catalog.json').then(r => r.text())"))["titles"]]
    samples = titles + ["Pokémon: Indigo League", "Fast & Furious", "Straße", "ΣΊΣΥΦΟΣ", "İstanbul", "x_y", "  "]
    keys = page.evaluate("async (texts) => { const m = await import('./js/normalize.js');"
                         " return texts.map(m.normalizeText); }", samples)
    mismatches = [(t, k, normalize_text(t)) for t, k in zip(samples, keys) if k != normalize_text(t)]
    assert not mismatches, mismatches[:10]


def test_nothing_is_fetched_from_another_origin(open_page, base):
    page = open_page("/?title=Rocky&k=3")
    wait_for_cards(page, "Titles like")
    docs = open_docs(open_page)
    foreign = [u for u in page.requests + docs.requests if not u.startswith(base + "/") and not u.startswith("data:")]
    assert foreign == []


def open_docs(open_page):
    page = open_page("/docs", ready=False)
    expect(page.locator(".opblock-summary-path", has_text="/invocations")).to_be_visible()
    return page


def test_swagger_ui_try_it_out_on_the_same_origin(open_page, base):
    page = open_docs(open_page)
    assert page.url == f"{base}/docs/"
    expect(page.locator(".servers select option").first).to_have_text(f"{base} - this server")
    page.locator(".opblock-summary-path", has_text="/invocations").click()
    page.get_by_role("button", name="Try it out").click()
    with page.expect_response(f"{base}/invocations") as answer:
        page.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    assert "predictions" in answer.value.json()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
