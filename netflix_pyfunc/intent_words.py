"""Words people type for what they want, mapped to the catalogue's own labels (used by intent.py).

Keys are normalised words or phrases (netflix_pyfunc.catalog.normalize_text); values are the
catalogue's genre labels, for films and series alike. QueryParser keeps only labels the fitted
catalogue has. Words that are too often about something else are left out on purpose: 'love'
("I love dogs"), 'family' ("a family drama" is not a kids' film), 'child', 'cult' (a sect),
'space' ("a safe space"), 'music' alone.
"""

from .catalog import MOVIE, TV_SHOW

_COMEDY = ("Comedies", "TV Comedies")
_STAND_UP = ("Stand-Up Comedy", "Stand-Up Comedy & Talk Shows")
_HORROR = ("Horror Movies", "TV Horror")
_THRILLER = ("Thrillers", "TV Thrillers")
_MYSTERY = ("TV Mysteries", "Thrillers")
_ROMANCE = ("Romantic Movies", "Romantic TV Shows")
_DOCUMENTARY = ("Documentaries", "Docuseries")
_ANIME = ("Anime Features", "Anime Series")
_KIDS = ("Children & Family Movies", "Kids' TV")
_CRIME = ("Crime TV Shows", "Thrillers")
_SCIFI = ("Sci-Fi & Fantasy", "TV Sci-Fi & Fantasy")
_ACTION = ("Action & Adventure", "TV Action & Adventure")
_DRAMA = ("Dramas", "TV Dramas")
_CLASSIC = ("Classic Movies", "Classic & Cult TV")


def _table(*groups: tuple[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """("a,b", labels), ... -> {"a": labels, "b": labels}; a word in several groups gets all their labels."""
    table: dict[str, tuple[str, ...]] = {}
    for words, labels in groups:
        for word in words.split(","):
            table[word] = tuple(dict.fromkeys(table.get(word, ()) + labels))
    return table


GENRE_WORDS: dict[str, tuple[str, ...]] = _table(
    ("funny,comedy,comedies,comedic,hilarious,laugh,laughs,laughing,humor,humour,humorous,sitcom,"
     "sitcoms,lighthearted,light hearted,feel good,feelgood,witty,goofy,silly,romcom,rom com,parody,"
     "spoof,satire", _COMEDY),
    ("stand up,standup,comedian,comedians,comedy special,talk show,late night", _STAND_UP),
    ("scary,horror,creepy,spooky,terrifying,frightening,haunted,haunting,ghost,ghosts,ghost story,"
     "slasher,gore,gory,zombie,zombies,possessed,exorcism,chilling,nightmare,nightmares", _HORROR),
    ("thriller,thrillers,suspense,suspenseful,tense,gripping,nail biting,edge of my seat,"
     "edge of your seat,psychological,twisty", _THRILLER),
    ("mystery,mysteries,whodunit,whodunnit,murder mystery", _MYSTERY),
    ("romantic,romance,romances,love story,love stories,fall in love,falling in love,"
     "romcom,rom com", _ROMANCE),
    ("documentary,documentaries,doc,docs,docuseries,docu series,true story,real story", _DOCUMENTARY),
    ("anime,manga", _ANIME),
    ("kids,kid,children,childrens,toddler,toddlers,preschool,preschooler,preschoolers,cartoon,"
     "cartoons,family movie,family film,family friendly,whole family,little ones,for the family",
     _KIDS),
    ("teen,teens,teenage,teenager,teenagers,high school,coming of age", ("Teen TV Shows",)),
    ("crime,crimes,criminal,criminals,gangster,gangsters,mafia,mob,heist,cop,cops,police,"
     "detective,detectives,cartel,narco", _CRIME),
    ("true crime", ("Documentaries", "Docuseries", "Crime TV Shows")),
    ("sci fi,scifi,science fiction,alien,aliens,futuristic,dystopian,dystopia,robot,robots,"
     "time travel,spaceship,astronaut,astronauts,outer space,space travel,fantasy,magic,magical,"
     "dragon,dragons,wizard,wizards,witch,witches,supernatural,superhero,superheroes", _SCIFI),
    ("action,adventure,adventures,explosions,shootout,martial arts,kung fu,car chase,"
     "swashbuckling,epic battle", _ACTION),
    ("drama,dramas,dramatic,tearjerker,tearjerkers,tear jerker,melodrama,emotional,sad,heartbreaking,"
     "weepy,make me cry", _DRAMA),
    # warm, easy and light ("something cozy" listed 1BR, a horror film set in a cozy flat;
    # "something chill" horror films, 'chill' matching "chilling")
    ("cozy,cosy,comforting,wholesome,heartwarming,heart warming,chill,chilled,laid back,mellow,"
     "easygoing,easy going,low key,lowkey,something light,something lighter,light viewing,keep it light,"
     "rainy day,rainy days,rainy sunday,rainy afternoon,rainy evening,rainy night,rainy weekend",
     _COMEDY + _ROMANCE),
    ("twist ending,twist endings,plot twist,plot twists", _THRILLER + _MYSTERY),
    ("mind bending,mindbending,mind blowing,mind blown,mind boggling", _SCIFI + _THRILLER),
    ("thought provoking,makes you think,make you think,makes me think,make me think", _DRAMA + _DOCUMENTARY),
    ("black and white", _CLASSIC),
    ("kdrama,k drama,korean drama,korean dramas", ("Korean TV Shows",)),
    ("musical,musicals,concert,concerts,singing,songs,sing along,singalong,music documentary",
     ("Music & Musicals",)),
    ("reality,reality show,reality tv,game show,dating show,competition show,makeover,"
     "cooking competition,baking competition", ("Reality TV",)),
    ("sport,sports,football,soccer,basketball,baseball,boxing,cricket,tennis,athlete,athletes,"
     "olympic,olympics,wrestling", ("Sports Movies",)),
    ("gay,lesbian,lgbt,lgbtq,queer,transgender,bisexual", ("LGBTQ Movies",)),
    ("faith,christian,religious,bible,biblical,spiritual,spirituality", ("Faith & Spirituality",)),
    ("nature,wildlife,nature documentary,science,natural world", ("Science & Nature TV",)),
    ("nature documentary,music documentary", _DOCUMENTARY),
    ("classic,classics,golden age,old movie,old movies,old film,old films", _CLASSIC),
    ("cult classic,cult film,cult movie,cult favorite", ("Cult Movies", "Classic & Cult TV")),
    ("indie,independent,arthouse,art house", ("Independent Movies",)),
)

# Words that say someone wants something to watch, or when, not what: a wish's words are not
# matched on them ("something to watch with my kids this weekend" listed Yo-Kai Watch first,
# "about: watch", and without 'watch', films about a weekend).
WISH_WORDS = frozenset({
    "watch", "watching", "binge", "binging", "bingeing", "stream", "streaming", "recommend",
    "recommendation", "recommendations", "suggest", "suggestion", "suggestions", "tonight", "today",
    "weekend", "evening", "afternoon", "please", "mood", "want", "wants", "wanna", "looking",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    # what the catalogue cannot tell: it has no ratings or popularity ('best' matched "best friend");
    # 'good' and 'great' stay: titles are named with them ("The Great British Baking Show")
    "best", "greatest", "top", "rated",
})

# Genre phrases whose words mean something else apart ('feel' matched "feelings", "edge of my seat"
# a description with a seat in it, "light hearted" one with light): intent only. Each of their words
# names the phrase's genre (QueryParser.parse's facets) and none is matched as a description word.
FIGURATIVE_PHRASES = frozenset({
    "feel good", "light hearted", "edge of my seat", "edge of your seat", "nail biting", "make me cry",
    "tear jerker", "whole family", "for the family", "little ones", "family friendly", "old movie",
    "old movies", "old film", "old films", "twist ending", "twist endings", "plot twist",
    "plot twists", "mind bending", "mindbending", "mind blowing", "mind blown", "mind boggling",
    "thought provoking", "makes you think", "make you think", "makes me think", "make me think",
    "black and white",
    # words a description uses for a place or a shiver, not for how the title feels
    # ("a cozy apartment", "a chilling tale")
    "cozy", "cosy", "chill", "chilled", "laid back", "mellow", "easygoing", "easy going", "low key", "lowkey",
    "something light", "something lighter", "light viewing", "keep it light", "rainy day", "rainy days",
    "rainy sunday", "rainy afternoon", "rainy evening", "rainy night", "rainy weekend",
})

# How a story is told, not what it is: no block can read these ("a slow burn mystery" listed films
# about fire, the encoder and the words both reading 'burn'). QueryParser drops them from the rest.
TELLING_PHRASES = frozenset({
    "slow burn", "slow burning", "slow burner", "slow paced", "fast paced", "binge worthy", "bingeworthy",
})

# Phrases that only ask, dropped from the rest like TELLING_PHRASES ("show me horror" is not a
# wish for a series, "in the mood for" is no topic).
ASKING_PHRASES = frozenset({"show me", "show us", "in the mood for", "give me", "find me"})

# Words that say a wish is for grown-ups: the kids' genres are left out, as after 'no', and not
# asked for even by a word that hints at them ("an adult cartoon" listed kids' shows).
ADULT_WORDS = frozenset({"adult", "adults", "grown up", "grown ups", "grownup", "grownups", "mature"})
ADULT_EXCLUDES = _KIDS

# The same kind of title as a film and as a series (film label, series label): a series' genres
# for a list of films ("a movie like Stranger Things": TV Horror -> Horror Movies), and back.
FILM_SERIES_GENRES = (
    ("Comedies", "TV Comedies"), ("Stand-Up Comedy", "Stand-Up Comedy & Talk Shows"),
    ("Horror Movies", "TV Horror"), ("Thrillers", "TV Thrillers"), ("Thrillers", "TV Mysteries"),
    ("Thrillers", "Crime TV Shows"), ("Romantic Movies", "Romantic TV Shows"),
    ("Documentaries", "Docuseries"), ("Documentaries", "Science & Nature TV"),
    ("Anime Features", "Anime Series"), ("Children & Family Movies", "Kids' TV"),
    ("Sci-Fi & Fantasy", "TV Sci-Fi & Fantasy"), ("Action & Adventure", "TV Action & Adventure"),
    ("Dramas", "TV Dramas"), ("Classic Movies", "Classic & Cult TV"), ("Cult Movies", "Classic & Cult TV"),
)

# Words that say what a wish does not want: the genre, country or type named right after them
# ("no horror", "a comedy that is not romantic", "anything but anime") is left out, not asked for.
NEGATION_CUES = (("anything", "but"), ("everything", "but"), ("not",), ("no",), ("without",), ("except",),
                 ("excluding",), ("non",))
# Words between a cue and what it leaves out ("not too scary", "no more anime").
NEGATION_FILLERS = frozenset({"a", "an", "the", "any", "too", "very", "so", "more", "much", "really", "overly",
                              "for"})   # "not for kids"

# 'movie' vs 'series'. 'show' counts: people say "a show" for series, and specials are rare.
TYPE_WORDS: dict[str, str] = {
    **{w: MOVIE for w in ("movie", "movies", "film", "films", "flick", "flicks", "feature")},
    **{w: TV_SHOW for w in ("series", "show", "shows", "tv", "docuseries", "season", "seasons",
                              "sitcom", "sitcoms", "miniseries", "episodes", "kdrama")},
}

# Regions that stand for several catalogue countries (single countries are in vocab.COUNTRY_WORDS).
REGION_WORDS: dict[str, tuple[str, ...]] = {
    "scandinavian": ("Denmark", "Norway", "Sweden"),
    "nordic": ("Denmark", "Finland", "Iceland", "Norway", "Sweden"),
    "arab": ("Egypt", "Jordan", "Kuwait", "Lebanon", "Saudi Arabia", "Syria", "United Arab Emirates"),
    "arabic": ("Egypt", "Jordan", "Kuwait", "Lebanon", "Saudi Arabia", "Syria", "United Arab Emirates"),
    "latin american": ("Argentina", "Brazil", "Chile", "Colombia", "Mexico", "Peru", "Uruguay"),
    "korea": ("South Korea",),
    "britain": ("United Kingdom",),
    "england": ("United Kingdom",),
    "america": ("United States",),
}

# Country names that are also people's names or places elsewhere: only demonyms count for them.
AMBIGUOUS_COUNTRY_NAMES = frozenset({"georgia", "jordan"})

# Words right before a name that say which role the text asks for.
DIRECTOR_CUES = frozenset({"director", "directors", "filmmaker", "filmmakers", "helmed"})
NOT_DIRECTOR_BEFORE_BY = frozenset({
    "written", "produced", "created", "narrated", "hosted", "told", "music", "songs", "song", "score",
    "book", "novel", "story", "screenplay", "script", "play", "poem", "inspired", "voiced",
})
CAST_CUES = frozenset({"with", "starring", "featuring", "stars", "star", "actor", "actress", "feat"})

# Decades as people write them, after normalize_text ("'90s" -> "90s", "90's" -> "90 s").
DECADE_WORDS: dict[str, int] = {
    **{f"{d}0s": 1900 + d * 10 for d in range(2, 10)},
    **{f"{year}s": year for year in range(1910, 2030, 10)},   # not "1900s": that is the century
    **dict(zip(
        ("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"),
        range(1920, 2000, 10),
    )),
}
# Words before a year that open the range: "before 1970", "since 2015", "after 2000".
BEFORE_WORDS = frozenset({"before", "pre", "until", "prior"})
SINCE_WORDS = frozenset({"since"})                       # "from 1995" is that year
AFTER_WORDS = frozenset({"after", "post"})
# "recent", "latest": the catalogue's last RECENT_YEARS release years.
RECENT_WORDS = frozenset({"recent", "latest", "newest"})
# ... and 'new' right before one of these ("new releases", "new movies"; not "new york").
NEW_THINGS = frozenset({
    "releases", "release", "arrivals", "additions", "stuff", "content", "titles", "movies", "movie", "films",
    "film", "shows", "show", "series", "episodes", "seasons",
})
RECENT_YEARS = 3

# A catalogue title named after one of these asks for titles like it (references.py).
# Words as title_key leaves them: lower case, no apostrophes, no 'and'.
REFERENCE_CUES = (("similar", "to"), ("in", "the", "vein", "of"), ("fans", "of"), ("reminds", "me", "of"),
                  ("if", "i", "liked"), ("if", "i", "loved"), ("if", "you", "liked"), ("i", "liked"), ("i", "loved"),
                  ("i", "enjoyed"), ("i", "really", "liked"), ("i", "really", "loved"), ("i", "really", "enjoyed"),
                  ("like",))
# 'like' is a cue only at the start or after one of these ("something like ...", not "act like ...").
REFERENCE_LIKE_AFTER = frozenset({
    "something", "anything", "stuff", "more", "movies", "movie", "films", "film", "shows", "show", "series",
    "titles", "one", "ones", "else", "special", "specials",
})
# Words around such a title that ask for nothing by themselves: with only these left, the row is the
# title's own query ("something like Stranger Things"); one other word keeps them as its description.
REFERENCE_FILLER = REFERENCE_LIKE_AFTER | frozenset({
    "a", "an", "the", "some", "other", "another", "tv", "i", "me", "we", "want", "wanna", "watch", "to",
    "give", "find", "recommend", "please", "but", "or", "with", "that", "is", "are", "good", "great", "best",
    "new", "similar", "liked", "loved", "if", "you", "of", "fans", "for", "what", "should", "can", "could",
    "would", "like", "in", "vein", "reminds", "enjoyed", "really", "now", "next",
})

# Every word of these tables: a wish's own vocabulary, never read as a misspelling (spelling.Respeller).
TABLE_WORDS = frozenset(
    word
    for table in (GENRE_WORDS, WISH_WORDS, FIGURATIVE_PHRASES, TELLING_PHRASES, ASKING_PHRASES, ADULT_WORDS,
                  NEGATION_FILLERS, NEW_THINGS, TYPE_WORDS, REGION_WORDS, DIRECTOR_CUES, NOT_DIRECTOR_BEFORE_BY,
                  CAST_CUES, DECADE_WORDS, BEFORE_WORDS, SINCE_WORDS, AFTER_WORDS, RECENT_WORDS, REFERENCE_FILLER)
    for phrase in table for word in phrase.split()
) | frozenset(word for cues in (*NEGATION_CUES, *REFERENCE_CUES) for word in cues)
