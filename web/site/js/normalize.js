// The same text key as the server's netflix_pyfunc/catalog.py normalize_text:
// '&' reads as 'and', accents and case are ignored, punctuation separates words.
// tests/test_browser.py checks that both give the same key for every catalogue title.

const CASEFOLD = new Map([["ß", "ss"], ["ς", "σ"], ["ẞ", "ss"]]);

export function normalizeText(text) {
  const decomposed = String(text).replaceAll("&", " and ").normalize("NFKD");
  const stripped = decomposed.replace(/\p{Mn}/gu, "");
  const folded = stripped.toLowerCase().replace(/[ßςẞ]/g, (ch) => CASEFOLD.get(ch));
  return folded.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}
