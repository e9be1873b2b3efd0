// Title suggestions for the search box: an ARIA 1.2 combobox with a listbox popup.
// Arrow keys move, Enter picks the highlighted title, Escape closes the list.
import {normalizeText} from "./normalize.js";

const LIMIT = 8;

// entries: [{title, year, type, key}]; a lower rank is a better match.
export function suggest(entries, text, limit = LIMIT) {
  const query = normalizeText(text);
  if (!query) return [];
  const words = query.split(" ");
  const found = [];
  for (const entry of entries) {
    const key = entry.key;
    let rank;
    if (key === query) rank = 0;
    else if (key.startsWith(query)) rank = 1;
    else if (key.includes(` ${query}`)) rank = 2;
    else if (key.includes(query)) rank = 3;
    else if (words.length > 1 && words.every((w) => ` ${key}`.includes(` ${w}`))) rank = 4;
    else continue;
    found.push([rank, entry]);
  }
  found.sort((a, b) => a[0] - b[0] || a[1].key.length - b[1].key.length || a[1].title.localeCompare(b[1].title));
  return found.slice(0, limit).map(([, entry]) => entry);
}

export class Autocomplete {
  // input: the combobox <input>; list: its <ul role="listbox">; onPick(entry) when a title is chosen.
  constructor(input, list, entries, onPick) {
    Object.assign(this, {input, list, entries, onPick, items: [], active: -1});
    input.addEventListener("input", () => this.update());
    input.addEventListener("keydown", (event) => this.keydown(event));
    input.addEventListener("blur", () => this.close());
    // mousedown, not click: picking must happen before the input loses focus
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      this.pick(Number(option.dataset.index));
    });
  }

  get isOpen() {
    return !this.list.hidden;
  }

  update() {
    this.items = suggest(this.entries, this.input.value);
    this.active = -1;
    this.list.replaceChildren(...this.items.map((entry, i) => this.option(entry, i)));
    if (this.items.length) this.open();
    else this.close();
  }

  option(entry, index) {
    const li = document.createElement("li");
    li.id = `suggestion-${index}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.index = String(index);
    const title = document.createElement("span");
    title.className = "s-title";
    title.textContent = entry.title;
    const meta = document.createElement("span");
    meta.className = "s-meta";
    meta.textContent = `${entry.type}, ${entry.year}`;
    li.append(title, meta);
    return li;
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  highlight(index) {
    this.active = index;
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index < 0) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    const li = this.list.children[index];
    this.input.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({block: "nearest"});
  }

  pick(index) {
    const entry = this.items[index];
    this.close();
    if (!entry) return;
    this.input.value = entry.title;
    this.onPick(entry);
  }

  keydown(event) {
    const n = this.items.length;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!this.isOpen) this.update();
        if (this.items.length) this.highlight((this.active + 1) % this.items.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (this.isOpen && n) this.highlight(this.active <= 0 ? n - 1 : this.active - 1);
        break;
      case "Enter":
        if (this.isOpen && this.active >= 0) {
          event.preventDefault(); // the form is not submitted: the pick asks by title
          this.pick(this.active);
        } else {
          this.close();
        }
        break;
      case "Escape":
        if (this.isOpen) {
          event.preventDefault();
          this.close();
        }
        break;
      default:
        break;
    }
  }
}
