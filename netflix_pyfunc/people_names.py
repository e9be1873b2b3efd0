"""People named in free text: the longest runs of normalised words that spell a catalogue director
or cast name of 2+ words, or a surname one person carries far more often than anyone else ("a
scorsese film", "directed by spielberg"), with the role the words before it ask for ("directed
by", "with", "starring"). QueryParser (intent.py) finds them first, so a name's words never also
count as intent or description words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from .analyzers import STOP_WORDS
from .catalog import CAST, DESCRIPTION, DIRECTOR, TITLE, normalize_text
from .intent_words import CAST_CUES, DIRECTOR_CUES, NOT_DIRECTOR_BEFORE_BY, TABLE_WORDS

ROLES = ("director", "cast", "any")
MIN_NAME_WORDS = 2
# A surname alone names its best-known bearer when that person has at least this many credits and
# at least SURNAME_SHARE times as many as anyone else with it: 'scorsese' (13 against 1), 'reeves'
# (Keanu, 12 against 2), 'bachchan' (Amitabh, 28 against 13); not 'khan' (35 against 20), 'smith'.
SURNAME_MIN_CREDITS = 3
SURNAME_SHARE = 2
# ... or when no one else has it at all and it is a long word: 'nolan', 'kubrick' (1 credit each);
# not 'tern' or 'pye', which a wish may mean as words.
RARE_SURNAME_LENGTH = 5


@dataclass(frozen=True)
class Person:
    name: str                      # as the catalogue spells it
    role: str                      # what the text asks for: 'director', 'cast' or 'any'
    credited_as: tuple[str, ...]   # the person's roles in the catalogue


class PeopleNames:
    """The catalogue's people by their normalised name words; fitted once, so a request only looks up."""

    def fit(self, catalog: pd.DataFrame, *, common_min_count: int) -> PeopleNames:
        """common_min_count: a name whose every word the descriptions use this often in lower case
        ("Mark Strong", "Big Boy") is a person only after a role word ("with Mark Strong")."""
        self.people_ = self._people(catalog)
        self.max_name_words_ = max((len(words) for words in self.people_), default=0)
        self.name_starts_ = frozenset(words[0] for words in self.people_)   # a name starts only with these
        self.common_words_ = self._common_words(catalog[DESCRIPTION], common_min_count)
        self.surnames_ = self._surnames(catalog)
        return self

    @staticmethod
    def _people(catalog: pd.DataFrame) -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
        """Normalised name words -> (most credited spelling, roles held)."""
        spellings: dict[tuple[str, ...], dict[str, int]] = {}
        roles: dict[tuple[str, ...], set[str]] = {}
        for role, column in (("director", DIRECTOR), ("cast", CAST)):
            for names in catalog[column]:
                for name in names:
                    words = tuple(normalize_text(name).split())
                    if len(words) < MIN_NAME_WORDS:
                        continue
                    keys = {words, _joined_initials(words)}        # 'louis c k' and 'louis ck'
                    for key in (k for k in keys if len(k) >= MIN_NAME_WORDS):
                        counts = spellings.setdefault(key, {})
                        counts[name] = counts.get(name, 0) + 1
                        roles.setdefault(key, set()).add(role)
        return {
            key: (max(sorted(counts), key=counts.get), tuple(r for r in ROLES if r in roles[key]))
            for key, counts in spellings.items()
        }

    @staticmethod
    def _common_words(descriptions: pd.Series, min_count: int) -> frozenset[str]:
        """Words the descriptions use in lower case at least min_count times."""
        counts = Counter(
            normalize_text(word) for text in descriptions for word in str(text).split() if word.islower()
        )
        return frozenset(w for w, n in counts.items() if n >= min_count)

    def _surnames(self, catalog: pd.DataFrame) -> dict[str, tuple[tuple[str, ...], bool]]:
        """Surname -> (its best-known bearer's name words, whether it names them only after a role
        word). A surname that is an everyday word, or that some title or description uses for
        anything but the bearer's own titles ('cage', 'king'; 'holmes' for Sherlock; 'friday' in
        Friday Night Tykes), needs the role word ("with cage"); a stop word or a word wishes are
        made of (intent_words.TABLE_WORDS: 'drama', 'sunday') never names anyone."""
        credited: dict[str, set[int]] = {}
        for column in (DIRECTOR, CAST):
            for row, names in enumerate(catalog[column]):
                for name in names:
                    credited.setdefault(name, set()).add(row)
        keys = {key: key for key in self.people_}      # the people_ key itself: pickled once, not twice
        bearers: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
        for name, rows in credited.items():
            words = keys.get(tuple(normalize_text(name).split()))
            if words is not None:
                bearers.setdefault(words[-1], []).append((len(rows), name, words))
        descriptions = [f" {normalize_text(str(title))} {normalize_text(str(text))} "
                        for title, text in zip(catalog[TITLE], catalog[DESCRIPTION])]
        described: dict[str, list[int]] = {}
        for row, text in enumerate(descriptions):
            for word in set(text.split()) & bearers.keys():
                described.setdefault(word, []).append(row)
        surnames = {}
        for surname, found in bearers.items():
            found.sort(reverse=True)
            (top, name, words), runner_up = found[0], max((count for count, _, _ in found[1:]), default=0)
            dominant = top >= SURNAME_MIN_CREDITS and top >= SURNAME_SHARE * runner_up and len(surname) > 2
            only = runner_up == 0 and len(surname) >= RARE_SURNAME_LENGTH
            if (dominant or only) and surname not in STOP_WORDS and surname not in TABLE_WORDS and surname.isalpha():
                # a description may name the bearer in full ("... Martin Scorsese") without the credit
                spelled = f" {' '.join(words)} "
                elsewhere = [row for row in described.get(surname, ())
                             if row not in credited[name] and spelled not in descriptions[row]]
                surnames[surname] = (words, bool(elsewhere) or surname in self.common_words_)
        return surnames

    def find(self, words: list[str]) -> tuple[list[Person], set[int]]:
        """The people words name, in order, and the positions of their words and role words."""
        people: list[Person] = []
        used: set[int] = set()
        i = 0
        while i < len(words):
            n, key, role, cue = self._name_at(words, i, people, used)
            if not n:
                i += 1
                continue
            name, credited = self.people_[key]
            if not any(p.name == name for p in people):
                people.append(Person(name, role, credited))
            used.update(range(i, i + n))
            used.update(cue)
            if i + n < len(words) and words[i + n] == "s":      # possessive: "spielberg's"
                used.add(i + n)
            i += n
        return people, used

    def _name_at(self, words: list[str], i: int, people: list[Person], used: set[int]):
        """(number of words, name key, role asked, role word positions) of the longest name at
        words[i]: a full name, else a surname; (0, None, None, None) when none."""
        if words[i] in self.name_starts_:
            for n in range(min(self.max_name_words_, len(words) - i), MIN_NAME_WORDS - 1, -1):
                key = tuple(words[i:i + n])
                if key in self.people_:
                    role, cue = self._role(words, i, people, used)
                    if role != "any" or not set(key) <= self.common_words_:
                        return n, key, role, cue
        if words[i] in self.surnames_:
            key, needs_role = self.surnames_[words[i]]
            role, cue = self._role(words, i, people, used)
            if role != "any" or not needs_role:
                return 1, key, role, cue
        return 0, None, None, None

    @staticmethod
    def _role(words: list[str], start: int, people: list[Person], used: set[int]) -> tuple[str, list[int]]:
        """The role the words just before a name ask for, and the positions of those words."""
        before = words[max(0, start - 2):start]
        if before == ["directed", "by"]:
            return "director", [start - 2, start - 1]
        if before and before[-1] in DIRECTOR_CUES:
            return "director", [start - 1]
        if before and before[-1] == "by" and (len(before) < 2 or before[0] not in NOT_DIRECTOR_BEFORE_BY):
            return "director", [start - 1]
        if before and before[-1] in CAST_CUES:
            return "cast", [start - 1]
        if before and before[-1] == "and" and people and (start - 2) in used:
            return people[-1].role, [start - 1]       # "with Tom Hanks and Meg Ryan"
        return "any", []


def _joined_initials(words: tuple[str, ...]) -> tuple[str, ...]:
    """('louis', 'c', 'k') -> ('louis', 'ck'); ('b', 'v', 'nandini', 'reddy') -> ('bv', 'nandini', 'reddy')."""
    out: list[str] = []
    previous_single = False
    for word in words:
        single = len(word) == 1
        if single and previous_single:
            out[-1] += word
        else:
            out.append(word)
        previous_single = single
    return tuple(out)

