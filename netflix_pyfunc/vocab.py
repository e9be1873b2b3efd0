"""Words people type for countries: 'korean drama' means South Korea, 'bollywood' India.

Used to map free text onto the country block; values are catalogue country names.
"""

COUNTRY_WORDS = {
    "american": "United States", "usa": "United States", "hollywood": "United States",
    "indian": "India", "bollywood": "India", "tollywood": "India", "hindi": "India", "tamil": "India",
    "telugu": "India", "malayalam": "India", "marathi": "India",
    "british": "United Kingdom", "uk": "United Kingdom", "scottish": "United Kingdom",
    "canadian": "Canada", "french": "France", "japanese": "Japan", "anime": "Japan",
    "spanish": "Spain", "korean": "South Korea", "kdrama": "South Korea", "k drama": "South Korea",
    "k dramas": "South Korea", "german": "Germany",
    "mexican": "Mexico", "chinese": "China", "mandarin": "China", "cantonese": "Hong Kong",
    "australian": "Australia", "egyptian": "Egypt", "turkish": "Turkey", "nigerian": "Nigeria",
    "nollywood": "Nigeria", "italian": "Italy", "brazilian": "Brazil", "argentinian": "Argentina",
    "argentine": "Argentina", "belgian": "Belgium", "indonesian": "Indonesia", "taiwanese": "Taiwan",
    "filipino": "Philippines", "thai": "Thailand", "colombian": "Colombia", "dutch": "Netherlands",
    "danish": "Denmark", "irish": "Ireland", "swedish": "Sweden", "polish": "Poland", "norwegian": "Norway",
    "chilean": "Chile", "russian": "Russia", "malaysian": "Malaysia", "pakistani": "Pakistan",
    "czech": "Czech Republic", "swiss": "Switzerland", "romanian": "Romania", "finnish": "Finland",
    "greek": "Greece", "hungarian": "Hungary", "icelandic": "Iceland", "peruvian": "Peru",
    "vietnamese": "Vietnam", "kenyan": "Kenya", "israeli": "Israel", "lebanese": "Lebanon",
    "saudi": "Saudi Arabia", "emirati": "United Arab Emirates", "austrian": "Austria",
    "portuguese": "Portugal", "south african": "South Africa", "new zealand": "New Zealand",
}
