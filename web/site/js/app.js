// The page: search box, filters, result cards, URL state. Talks only to POST invocations;
// every string from the API goes into the page as text (textContent), never as HTML.
import {ApiError, recommend} from "./api.js";
import {Autocomplete} from "./autocomplete.js";
import {normalizeText} from "./normalize.js";

const FILTERS = ["type", "min_year", "max_year", "country", "genre", "rating", "k"];
const INTEGERS = new Set(["min_year", "max_year", "k"]);
const DEFAULT_K = 10;
const $ = (id) => document.getElementById(id);

const form = $("search");
const input = $("q");
const results = $("results");
const statusLine = $("status");
const errorBox = $("error");
const cards = $("cards");
const cardTemplate = $("card-template");

let titleKeys = new Set();
let current = null; // the query shown: {title} or {description}
let inFlight = null;

function entriesFrom(catalog) {
  return catalog.titles.map(([title, year, type]) => ({title, year, type, key: normalizeText(title)}));
}

function addOptions(select, values) {
  select.append(...values.map((value) => new Option(value, value)));
}

function keepOption(select, value) {
  // a value from a shared link that is not in the list still shows (the server judges it)
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.append(new Option(value, value));
  }
}

async function loadCatalog() {
  const response = await fetch("catalog.json");
  if (!response.ok) throw new Error(`catalog.json: HTTP ${response.status}`);
  const catalog = await response.json();
  addOptions($("f-type"), catalog.types);
  addOptions($("f-country"), catalog.countries);
  addOptions($("f-genre"), catalog.genres);
  addOptions($("f-rating"), catalog.ratings);
  const [first, last] = catalog.years;
  for (const id of ["f-min-year", "f-max-year"]) {
    Object.assign($(id), {min: first, max: last});
  }
  $("f-min-year").placeholder = String(first);
  $("f-max-year").placeholder = String(last);
  return entriesFrom(catalog);
}

// ---- state <-> form <-> URL -------------------------------------------------------------

function showFilterCount(params) {
  const set = FILTERS.filter((name) => params[name] !== undefined && !(name === "k" && params[name] === DEFAULT_K));
  $("filter-count").textContent = set.length ? `· ${set.length} set` : "";
}

function readFilters() {
  const params = {};
  for (const name of FILTERS) {
    const value = form.elements[name].value.trim();
    if (!value) continue;
    params[name] = INTEGERS.has(name) ? Number(value) : value;
  }
  return params;
}

function writeFilters(params) {
  for (const name of FILTERS) {
    const field = form.elements[name];
    const value = params[name] === undefined ? "" : String(params[name]);
    if (field.tagName === "SELECT") keepOption(field, value);
    field.value = name === "k" && !value ? String(DEFAULT_K) : value;
  }
}

function stateFromUrl() {
  const url = new URLSearchParams(location.search);
  const params = {};
  for (const name of FILTERS) {
    const value = (url.get(name) ?? "").trim();
    if (!value) continue;
    const number = Number(value);
    params[name] = INTEGERS.has(name) && Number.isInteger(number) ? number : value;
  }
  let query = null;
  if (url.get("title")?.trim()) query = {title: url.get("title").trim()};
  else if (url.get("description")?.trim()) query = {description: url.get("description").trim()};
  return {query, params};
}

function urlFor(query, params) {
  const url = new URLSearchParams(query);
  for (const name of FILTERS) {
    if (params[name] === undefined || (name === "k" && params[name] === DEFAULT_K)) continue;
    url.set(name, String(params[name]));
  }
  return `?${url}`;
}

// ---- rendering ----------------------------------------------------------------------------

function setText(root, selector, text) {
  root.querySelector(selector).textContent = text;
}

function card(prediction, best) {
  const node = cardTemplate.content.firstElementChild.cloneNode(true);
  setText(node, ".card-title", prediction.title);
  setText(node, ".type", prediction.type);
  setText(node, ".year", String(prediction.release_year));
  setText(node, ".rating", prediction.rating || "not rated");
  setText(node, ".genres", prediction.listed_in);
  setText(node, ".country", prediction.country || "country unknown");
  setText(node, ".reason", prediction.reason);
  const score = Number(prediction.score);
  const share = best > 0 ? Math.max(0, Math.min(1, score / best)) : 0;
  node.querySelector(".fill").style.width = `${(share * 100).toFixed(1)}%`;
  setText(node, ".score-text", `score ${score.toFixed(3)}`);
  const more = node.querySelector(".more");
  more.setAttribute("aria-label", `More like ${prediction.title}`);
  node.addEventListener("click", () => moreLikeThis(prediction.title));
  return node;
}

function heading(query, predictions) {
  const resolved = predictions[0]?.query_title;
  if (query.description !== undefined) {
    // a wish naming a title ("something like Midnight Mass") is answered as that title's query
    return resolved ? `Titles like “${resolved}” (from “${query.description}”)` : `Titles matching “${query.description}”`;
  }
  if (!resolved) return `Titles like “${query.title}”`;
  const typed = normalizeText(query.title) === normalizeText(resolved) ? "" : ` (closest title to “${query.title}”)`;
  return `Titles like “${resolved}”${typed}`;
}

function render(query, predictions) {
  const best = Math.max(0, ...predictions.map((p) => Number(p.score)));
  const what = heading(query, predictions);
  statusLine.textContent = predictions.length
    ? `${what}: ${predictions.length} result${predictions.length === 1 ? "" : "s"}`
    : `${what}: nothing matches these filters`;
  document.title = `${what} · Netflix recommender`;
  cards.replaceChildren(...predictions.map((p) => card(p, best)));
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  statusLine.textContent = "The search did not work";
  cards.replaceChildren();
}

// ---- searching ------------------------------------------------------------------------------

async function search(query, params, {push = true} = {}) {
  current = query;
  showFilterCount(params);
  const url = urlFor(query, params);
  if (push && url !== location.search) history.pushState(null, "", url);
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  errorBox.hidden = true;
  statusLine.textContent = "Searching…";
  results.setAttribute("aria-busy", "true");
  try {
    render(query, await recommend(query, params, controller.signal));
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error instanceof ApiError ? error.message : `Something went wrong: ${error.message}`);
    // a rejected filter: show the filters, folded or not, so it can be fixed
    if (/^param '/.test(errorBox.textContent)) $("filters-panel").open = true;
  } finally {
    if (inFlight === controller) results.removeAttribute("aria-busy");
  }
}

function moreLikeThis(title) {
  input.value = title;
  search({title}, readFilters());
  results.focus({preventScroll: true});
  results.scrollIntoView({block: "start"});
}

function submitText() {
  const text = input.value.trim();
  if (!text) {
    if (current) search(current, readFilters());
    else showError("Type a title or a few words about what you want to watch.");
    return;
  }
  // a whole catalogue title typed out is a title query; anything else searches descriptions
  search(titleKeys.has(normalizeText(text)) ? {title: text} : {description: text}, readFilters());
}

function applyUrl() {
  const {query, params} = stateFromUrl();
  writeFilters(params);
  showFilterCount(params);
  if (!query) {
    current = null;
    input.value = "";
    statusLine.textContent = "";
    errorBox.hidden = true;
    cards.replaceChildren();
    document.title = "Netflix recommender";
    return;
  }
  input.value = query.title ?? query.description;
  search(query, params, {push: false});
}

async function start() {
  let entries = [];
  try {
    entries = await loadCatalog();
  } catch (error) {
    showError(`Title suggestions are unavailable (${error.message}); searching still works.`);
  }
  titleKeys = new Set(entries.map((entry) => entry.key));
  new Autocomplete(input, $("suggestions"), entries, (entry) => search({title: entry.title}, readFilters()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitText();
  });
  form.querySelector("fieldset").addEventListener("change", () => {
    if (current) search(current, readFilters());
  });
  window.addEventListener("popstate", applyUrl);
  // on a phone the filters start folded away, so the results are on the first screen
  if (window.matchMedia("(max-width: 40rem)").matches) $("filters-panel").open = false;
  applyUrl();
  document.body.dataset.ready = "true";
}

start();
