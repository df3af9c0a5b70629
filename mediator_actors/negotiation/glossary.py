"""A small multilingual trade glossary: the common trades, services and goods in German,
French, Spanish, Italian, Dutch, Portuguese and Catalan, put into English before a phrase
is embedded. The local model (all-MiniLM-L6-v2) is English: "Elektriker in München" and
"3 new sockets and a ceiling light installed" share no meaning for it, "electrician in
München" and the same seek do.

General vocabulary only (a trade, its work, its goods, the few words of framing a post
starts with), looked up per word with accents and case folded. Words that are also
English words of another meaning are left out ("vat" is a barrel in Dutch and a tax in
English, "pain" is bread in French, "location" a rental, "für" folds to "fur", "mit" is
MIT), so English text is unchanged.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["GLOSSARY", "GREETINGS", "GREETING_WORDS", "in_english"]

#: How a post opens in the glossary's languages (and Czech and Polish): no service is named
#: by "Bonjour à tous !", "Hallo!", "Ciao!" or "Guten Abend, ..." (a regular expression of
#: alternatives, accents optional; matched case-insensitively at a word boundary).
GREETINGS = (
    r"hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening)|"
    r"bonjour|bonsoir|salut|coucou|hallo|guten\s+(?:morgen|tag|abend)|servus|moin|"
    r"gr[uü](?:ß|ss)\s+gott|hola|buen[oa]s\s+(?:d[ií]as|tardes|noches)|ciao|buongiorno|"
    r"buonasera|salve|hoi|goedemorgen|goedemiddag|goedenavond|ol[aá]|bom\s+dia|"
    r"boa\s+(?:tarde|noite)|bon\s+dia|ahoj|dobr[yý]\s+den|cze[sś][cć]|dzie[nń]\s+dobry"
)
#: The single words of :data:`GREETINGS` (a clause made only of these names no service).
GREETING_WORDS = frozenset(
    re.split(
        r"\s+",
        """hi hello hey hiya dear greetings bonjour bonsoir salut coucou hallo servus moin hola
        ciao buongiorno buonasera salve hoi goedemorgen goedemiddag goedenavond ola olá ahoj
        cześć czesc""",
    )
)

# One "word: English" per entry, by language; keys without accents (they are folded).
_ENTRIES = {
    "de": """elektriker: electrician | klempner: plumber | installateur: plumber |
        sanitar: plumbing | tischler: carpenter | schreiner: carpenter | maler: painter |
        dachdecker: roofer | fliesenleger: tiler | umzug: moving house | umzuge: moving house |
        reinigung: cleaning | putzfrau: cleaner | gebaudereinigung: office cleaning |
        nachhilfe: tutoring | ubersetzung: translation | ubersetzungen: translations |
        ubersetzer: translator | ubersetzerin: translator | anwalt: lawyer |
        rechtsanwalt: lawyer | anwaltin: lawyer | steuerberater: tax advisor |
        buchhaltung: bookkeeping | fotograf: photographer | fotografin: photographer |
        hochzeit: wedding | hochzeitsfotograf: wedding photographer | friseur: hairdresser |
        friseurin: hairdresser | mechaniker: mechanic | werkstatt: garage |
        reparatur: repair | kupplung: clutch | kupplungswechsel: clutch replacement |
        bremsen: brakes | reifen: tyres | reifenwechsel: tyre change | brot: bread |
        sauerteig: sourdough | sauerteigbrot: sourdough bread | sauerteiglaibe: sourdough loaves |
        laibe: loaves | laib: loaf | backer: baker | backerei: bakery | lieferung: delivery |
        steckdose: socket | steckdosen: sockets | lampe: lamp | lampen: lamps |
        sicherungskasten: fuse box | heizung: heating | garten: garden | gartner: gardener |
        gartenarbeit: gardening | hund: dog | hunde: dogs | katze: cat | zimmer: room |
        wohnung: flat | ferienwohnung: holiday flat | unterricht: lessons | lehrer: teacher |
        lehrerin: teacher | kurs: course | klavier: piano | fenster: windows |
        schlusseldienst: locksmith | gastronomie: restaurants | stundensatz: hourly rate |
        fahrrad: bicycle | handwerker: handyman | kinderbetreuung: childcare |
        babysitterin: babysitter | hausmeister: caretaker | suche: looking for |
        braucht: needs | brauche: need | gebraucht: used | taglich: daily | und: and |
        raum: room | raume: rooms | mobliert: furnished | moblierte: furnished |
        mobliertes: furnished | torte: cake | torten: cakes | kuchen: cake |
        bestellung: order | tasse: mug | tassen: mugs | becher: mugs |
        handgemacht: handmade | handgemachte: handmade | steinzeug: stoneware |
        keramik: ceramics | visitenkarte: business card | visitenkarten: business cards |
        druck: printing | solaranlage: solar panels | solaranlagen: solar panels |
        solarmodule: solar panels | photovoltaik: solar PV | gereinigt: cleaned |
        reinigen: clean | regale: shelving | regalstander: racking uprights |
        verzinkt: galvanized | benotige: need | benotigen: need | katzensitting: cat sitting |
        hundesitting: dog sitting | tiersitting: pet sitting | katzen: cats |
        gassi: dog walking | malerarbeiten: painting | fliesen: tiles |
        baumpflege: tree surgery | baumfallung: tree felling | von: of | winkel: angle brackets |
        winkelbeschlage: angle brackets | verzinkte: galvanized | verzinkter: galvanized |
        vertrag: contract | vertrage: contracts | vertragsprufung: contract review |
        reisebus: coach | reisebusse: coaches | fahrer: driver | sitze: seats |
        personen: people | stunden: hours | servicekraft: waiter | servicekrafte: waiters |
        suchen: looking for | wir: we | unser: our | unsere: our | eine: a | einen: a |
        vereinsfest: club party | firmenfeier: company party | flaschen: bottles |
        flasche: bottle | karton: case | kartons: cases | lager: storage |
        lagerung: storage | lagerflache: storage space | kinder: children |
        erwachsene: adults | tochter: daughter | sohn: son | lernen: learn |
        mochte: would like | lehrer: teacher | skilehrer: ski instructor |
        skilehrerin: ski instructor | skischule: ski school | privat: private |
        angebot: offer | beidseitig: double-sided""",
    "fr": """nettoyage: cleaning | bureaux: offices | menage: house cleaning |
        traduction: translation | traductions: translations | traducteur: translator |
        traductrice: translator | juridique: legal | avocat: lawyer | avocate: lawyer |
        plombier: plumber | plomberie: plumbing | electricien: electrician | peintre: painter |
        menuisier: carpenter | serrurier: locksmith | jardinier: gardener |
        jardinage: gardening | demenagement: moving house | demenageur: removals |
        cours: lessons | professeur: teacher | photographe: photographer | mariage: wedding |
        coiffeur: hairdresser | coiffeuse: hairdresser | nounou: nanny |
        reparation: repair | velo: bicycle | voiture: car | boulangerie: bakery |
        boulanger: baker | comptable: accountant | comptabilite: accounting |
        toiture: roofing | couvreur: roofer | carrelage: tiling | chauffage: heating |
        garagiste: mechanic | cherche: looking for | recherche: looking for | pour: for |
        avec: with | locaux: premises | gateau: cake | gateaux: cakes | carrelage: tiling |
        peinture: painting | huile: oil | chambre: room | meublee: furnished |
        meuble: furnished | traiteur: caterer | livraison: delivery | coursier: courier |
        lave-linge: washing machine | seche-linge: tumble dryer | lave-vaisselle: dishwasher |
        stockage: storage | entrepot: warehouse | securise: secure | entreposage: storage""",
    "es": """traduccion: translation | traducciones: translations | traductor: translator |
        traductora: translator | ingles: English | espanol: Spanish | frances: French |
        aleman: German | abogado: lawyer | abogada: lawyer | fontanero: plumber |
        fontaneria: plumbing | electricista: electrician | pintor: painter |
        carpintero: carpenter | cerrajero: locksmith | jardinero: gardener |
        jardineria: gardening | mudanza: moving house | mudanzas: removals |
        limpieza: cleaning | clases: lessons | profesor: teacher | profesora: teacher |
        fotografo: photographer | fotografa: photographer | boda: wedding | bodas: weddings |
        peluquero: hairdresser | peluqueria: hairdresser | reparacion: repair |
        reparaciones: repairs | bicicleta: bicycle | coche: car | alquiler: rental |
        panaderia: bakery | contable: accountant | contabilidad: accounting |
        diseno: design | locutor: voice-over artist | locutora: voice-over artist |
        busco: looking for | buscamos: looking for | nativa: native | nativo: native |
        palabra: word | palabras: words | pintura: painting | interiores: interiors |
        paredes: walls | pared: wall | aceite: oil | habitacion: room | amueblada: furnished |
        amueblado: furnished | tarta: cake | azulejos: tiles | mensajero: courier |
        cuidadora: carer | cuidador: carer | acompanamiento: companionship |
        acompanar: accompany | mayores: elderly | madre: mother | padre: father |
        abuela: grandmother | abuelo: grandfather | alguien: someone | experiencia: experience |
        subarriendo: sublet | subarrendar: sublet | subalquiler: sublet | piso: flat |
        pisos: flats | casas: houses | jurado: sworn | jurada: sworn |
        gato: cat | gatos: cats | perro: dog | perros: dogs | subtitulos: subtitles |
        subtitulado: subtitling | velero: sailboat""",
    "it": """avvocato: lawyer | avvocata: lawyer | idraulico: plumber | elettricista: electrician |
        imbianchino: painter | falegname: carpenter | fabbro: locksmith |
        giardiniere: gardener | trasloco: moving house | traslochi: removals |
        pulizia: cleaning | pulizie: cleaning | lezioni: lessons | insegnante: teacher |
        fotografo: photographer | matrimonio: wedding | parrucchiere: hairdresser |
        riparazione: repair | riparazioni: repairs | bici: bicycle | noleggio: rental |
        traduzione: translation | traduzioni: translations | traduttore: translator |
        traduttrice: translator | commercialista: accountant | consulenza: consultation |
        contrattuale: contract | meccanico: mechanic | cerco: looking for | cerchiamo: looking for |
        olio: oil | extravergine: extra virgin olive | latta: tin | lattina: tin |
        litri: litres | litro: litre | piastrelle: tiles | piastrellista: tiler |
        imbiancatura: painting | pittura: painting | torta: cake |
        arredata: furnished | corriere: courier | consegna: delivery""",
    "nl": """zoek: looking for | zoeken: looking for | gebruikt: used | gebruikte: used |
        eiken: oak | vaten: barrels | fietsenmaker: bicycle mechanic | fiets: bicycle |
        fietsen: bicycles | onderhoudsbeurt: service | onderhoud: maintenance |
        loodgieter: plumber | elektricien: electrician | schilder: painter |
        timmerman: carpenter | slotenmaker: locksmith | tuinman: gardener |
        hovenier: gardener | verhuizing: moving house | verhuizer: removals |
        schoonmaak: cleaning | schoonmaken: cleaning | schoonmaker: cleaner |
        bijles: tutoring | leraar: teacher | lerares: teacher | fotograaf: photographer |
        bruiloft: wedding | kapper: hairdresser | kapster: hairdresser |
        reparatie: repair | verhuur: rental | bakker: baker | bakkerij: bakery |
        brood: bread | boekhouder: bookkeeper | boekhouding: bookkeeping |
        aangifte: tax return | belasting: tax | vertaling: translation | vertaler: translator |
        advocaat: lawyer | monteur: mechanic | garage: garage | mobiele: mobile |
        huis: home | voor: for | dakinspectie: roof inspection | dak: roof |
        inspectie: inspection | boekenkast: bookcase | boekenkasten: bookcases |
        ingebouwde: built-in | maatwerk: custom-made | hond: dog | honden: dogs |
        uitlaten: walking | uitlaatservice: dog walking | katten: cats |
        iemand: someone | schilderwerk: painting | tegels: tiles | tegelzetter: tiler |
        taart: cake | taarten: cakes | gemeubileerde: furnished | kamer: room |
        koerier: courier | bezorging: delivery | ik: I | wil: want | mijn: my |
        oppas: sitter | kattenoppas: cat sitter | hondenoppas: dog sitter |
        dierenoppas: pet sitter | huisdieren: pets | kat: cat | bezoek: visit |
        bezoeken: visits | nederlandse: Dutch | nederlands: Dutch | cursus: course |
        taalcursus: language course | beedigd: sworn | beedigde: sworn |
        vertalingen: translations | klusjesman: handyman | klusjesmannen: handymen |
        klussenbedrijf: handyman | klusbedrijf: handyman | voorrijkosten: call-out fee""",
    "pt": """traducao: translation | traducoes: translations | tradutor: translator |
        tradutora: translator | portugues: Portuguese | advogado: lawyer | advogada: lawyer |
        canalizador: plumber | encanador: plumber | eletricista: electrician |
        carpinteiro: carpenter | serralheiro: locksmith | jardineiro: gardener |
        mudanca: moving house | mudancas: removals | limpeza: cleaning | aulas: lessons |
        cabeleireiro: hairdresser | cabeleireira: hairdresser | reparacao: repair |
        conserto: repair | carro: car | aluguel: rental | aluguer: rental | padaria: bakery |
        contabilista: accountant | contador: accountant | procuro: looking for |
        legendagem: subtitling | legendas: subtitles | legenda: subtitle |
        veleiro: sailboat | barco: boat | passeio: trip | passeios: trips |
        estafeta: courier | entrega: delivery | gato: cat | gatos: cats |
        cao: dog | caes: dogs""",
    "ca": """fotograf: photographer | fotografa: photographer | casament: wedding |
        casaments: weddings | traduccio: translation | traduccions: translations |
        advocat: lawyer | advocada: lawyer | lampista: plumber | fuster: carpenter |
        neteja: cleaning | reparacio: repair | lloguer: rental | busquem: looking for""",
    # Czech, folded: the framing a post opens with
    "cs": """hledam: looking for | hledame: looking for | potrebuji: need""",
    # Polish, folded ("wnętrze" is "wnetrze"; "ł" has no combining mark and stays)
    "pl": """aut: cars | samochod: car | samochodu: car | samochodow: cars |
        pakiet: package | pakiety: packages | wosk: wax | woskowanie: waxing |
        wnetrze: interior | wnetrza: interior | mycie: wash | czyszczenie: cleaning |
        sprzatanie: cleaning | naprawa: repair | szukam: looking for | szukamy: looking for |
        potrzebuje: need | tlumaczenie: translation | tlumacz: translator""",
}

#: Words that are English words too ("palettes", "sec", "mit", "für" folded to "fur"),
#: put into English only in a text that has another word of their language, one the
#: glossary knows and English does not ("stockage palettes" is pallet storage, "colour
#: palettes" stays a designer's).
_IN_CONTEXT = {
    "de": """mit: with | fur: for | am: on the | ein: a | und: and""",
    "fr": """palettes: pallets | palette: pallet | sec: dry | et: and""",
    "es": """con: with | para: for | mi: my | personas: people""",
    "nl": """les: lessons | lessen: lessons""",
}


#: Trade abbreviations English writers use that the model does not know ("EVOO", a
#: beekeeper's "nucs"): expanded like a foreign word.
_ENTRIES["en"] = """evoo: extra virgin olive oil | nuc: nucleus colony | nucs: nucleus colonies"""


def _parse(entries: dict[str, str]) -> dict[str, str]:
    glossary: dict[str, str] = {}
    for block in entries.values():
        for entry in block.split("|"):
            word, _, english = entry.partition(":")
            glossary.setdefault(word.strip(), english.strip())
    return glossary


#: Folded foreign word -> English words.
GLOSSARY: dict[str, str] = _parse(_ENTRIES)
#: Per language, its folded words that no other language's block holds as well (the
#: words that say a text is in that language) and its words of :data:`_IN_CONTEXT`.
_OWN: dict[str, frozenset[str]] = {
    lang: frozenset(_parse({lang: block}))
    - {w for other, b in _ENTRIES.items() if other != lang for w in _parse({other: b})}
    for lang, block in _ENTRIES.items()
    if lang != "en"
}
_CONTEXT: dict[str, dict[str, str]] = {
    lang: _parse({lang: block}) for lang, block in _IN_CONTEXT.items()
}

#: A word, or a hyphenated compound looked up whole first ("lave-linge").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_PART = re.compile(r"[^\W\d_]+", re.UNICODE)


@functools.lru_cache(maxsize=65_536)
def _folded(word: str) -> str:
    """Lower case without accents ("Übersetzung" -> "ubersetzung")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _languages(words: set[str]) -> list[str]:
    """The languages of :data:`_IN_CONTEXT` that one of ``words`` (folded) shows."""
    return [lang for lang in _CONTEXT if words & _OWN.get(lang, frozenset())]


#: The shortest part of a compound looked up on its own ("Klavier|unterricht"): shorter
#: parts are more often pieces of other words than words.
_PART_MIN = 4


def _compound(folded: str, words: dict[str, str]) -> str | None:
    """A compound of two glossary words, as German and Dutch write them ("klavierunterricht"
    is "piano lessons", "fensterreinigung" "windows cleaning", with a linking "s":
    "umzugsfirma"), or None. Both parts must be glossary words, so English is unchanged."""
    for cut in range(_PART_MIN, len(folded) - _PART_MIN + 1):
        head, tail = folded[:cut], folded[cut:]
        if tail not in words:
            continue
        if head in words:
            return f"{words[head]} {words[tail]}"
        if head.endswith("s") and head[:-1] in words and len(head) > _PART_MIN:
            return f"{words[head[:-1]]} {words[tail]}"
    return None


@functools.lru_cache(maxsize=16_384)
def in_english(text: str) -> str:
    """``text`` with each glossary word replaced by its English (a hyphenated compound
    whole where the glossary knows it, else part by part; the words of :data:`_IN_CONTEXT`
    only beside a word of their language); text without one is returned as it is."""
    words = GLOSSARY
    languages = _languages({_folded(w) for w in _PART.findall(text)})
    if languages:
        words = {**{w: e for lang in languages for w, e in _CONTEXT[lang].items()}, **GLOSSARY}

    def part(match: re.Match[str]) -> str:
        folded = _folded(match.group())
        return words.get(folded) or _compound(folded, words) or match.group()

    def english(match: re.Match[str]) -> str:
        whole = words.get(_folded(match.group()))
        if whole is not None:
            return whole
        return _PART.sub(part, match.group())

    return _WORD.sub(english, text)
