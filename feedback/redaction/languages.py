"""The words each language contributes to redaction.

A :class:`LanguagePack` holds everything that differs between languages: which Faker locales supply first names
and surnames, the words that announce a person ("my neighbor", "mi tío", "señora"), the capitalised words that are
never names, and the words of street addresses. Adding Polish, Chinese or Arabic is adding a pack to
``LANGUAGE_PACKS``; a language without a pack is redacted with every pack at once (more hidden, never less).

Every word here is compared after :func:`fold` (case-folded, accents removed), so "Pérez", "PEREZ" and "perez"
are one entry.
"""

from __future__ import annotations

import importlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


def fold(word: str) -> str:
    """Case-fold ``word`` and strip its accents and apostrophe variants: the key every word list is looked up by."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def faker_person_names(locale: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(first names, last names)`` as Faker's person provider of ``locale`` lists them; empty when it has none."""
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except (ImportError, AttributeError):
        return (), ()
    return tuple(getattr(provider, "first_names", ()) or ()), tuple(getattr(provider, "last_names", ()) or ())


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


@dataclass(frozen=True)
class LanguagePack:
    """What one language contributes. All word sets hold folded single words (see :func:`fold`)."""

    code: str
    #: Faker locales whose ``first_names`` / ``last_names`` feed the name gazetteer.
    faker_locales: tuple[str, ...]
    #: Words after which the next capitalised (or known-name) word is a person: kinship, neighbours, titles.
    person_cues: frozenset[str]
    #: Words that are never names, not even after a cue: articles, pronouns, prepositions, days, months, agencies.
    function_words: frozenset[str]
    #: Capitalised words that are not names unless a cue announces them (places, colours, institutions).
    common_words: frozenset[str]
    #: Words that name a place or an institution when they follow or precede a capitalised word.
    institution_words: frozenset[str]
    #: Words that start a street in this language before its name ("calle", "avenida").
    street_prefixes: frozenset[str]
    #: Words that end a street name ("St", "Avenue").
    street_suffixes: frozenset[str]
    #: Words that announce a flat or unit ("Apt", "depto").
    unit_words: frozenset[str]


_SHARED_COMMON = _words(
    """
    ice cpd dhs cbp fbi uscis eoir daca tps itin ssn id ice's cps cta pace metra wic snap er esl pta usa us u.s
    chicago chicagoland illinois cook county city ciudad mexico méxico guatemala honduras salvador venezuela
    colombia ecuador cuba haiti ukraine ucrania poland polonia china america américa
    facebook whatsapp telegram instagram tiktok google youtube signal zoom twitter walgreens jewel target
    home depot osco aldi costco walmart mcdonald's
    latino latina latinos latinas hispanic mexican mexicana mexicano mexicanos puerto rican arab korean
    polish ukrainian black white brown asian african american chinese
    christmas navidad easter pascua ramadan dios god jesus
    """
)

_EN_COMMON = _words(
    """
    a an the i i'm i've i'd i'll me my mine we we're our ours us you your he his him she her hers they their them it
    its this that these those there here who whom whose what which when where why how all any some every each no not
    nobody nothing someone somebody everyone everybody people and or but if so because since then than also too
    very just only even still please thanks thank yes ok okay hello hi dear is are was were be been being am do does
    did done have has had will would can could should may might must shall to of in on at by for with from about
    into over under after before during near outside inside between without against through around across behind
    up down out off again once today tonight tomorrow yesterday now later soon last next many much more most
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december
    """
)

_EN_OTHER = _words(
    """
    spring summer fall autumn winter mom dad mother father
    north south east west n s e w northwest southwest northeast southeast side
    police officer officers agent agents mayor alderman alderwoman governor president judge lawyer attorney
    know your rights border patrol homeland security immigration customs enforcement department district ward
    public schools school high elementary middle academy college university library hospital clinic center
    church parish line station stop red blue pink orange green brown purple yellow
    english spanish arabic polish chinese korean french
    """
)

_ES_COMMON = _words(
    """
    el la los las un una unos unas lo yo tú tu usted ustedes él ella ellos ellas nosotros nosotras mi mis su sus
    nuestro nuestra nuestros nuestras este esta estos estas ese esa esos esas aquel aquella que qué quien quién
    cuando cuándo donde dónde como cómo por para con sin sobre entre desde hasta hacia ante bajo tras de del al a
    y e o u ni pero si sí no también tampoco muy más menos ya aún todavía solo sólo hoy ayer mañana ahora luego
    antes después siempre nunca todo todos toda todas nadie nada alguien algo cada otro otra otros otras mismo
    es son era fue fueron ser estar está están estaba estaban hay había ha han he hemos tengo tiene tienen
    hola gracias favor buenos buenas días noches tardes señor señora
    lunes martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo junio julio agosto
    septiembre setiembre octubre noviembre diciembre
    """
)

_ES_OTHER = _words(
    """
    semana santa muertos norte sur este oeste migra policía agentes agente alcalde alcaldía concejal gobernador
    presidente juez abogado
    abogada conozca sus derechos patrulla fronteriza seguridad nacional inmigración departamento distrito barrio
    escuela escuelas primaria secundaria preparatoria universidad biblioteca hospital clínica centro iglesia
    parroquia línea estación parada rosa azul roja naranja verde café morada amarilla
    inglés español árabe polaco chino coreano francés k'iche' virgen
    """
)

_CHICAGO_PLACES = _words(
    """
    pilsen villita little village lawndale lower west back yards albany park humboldt brighton gage mckinley
    belmont cragin rogers jefferson portage irving logan avondale hermosa austin garfield englewood chatham
    pullman hegewisch bridgeport chinatown uptown edgewater loop midway o'hare hare cicero berwyn bridgeview
    broadview melrose evanston oak lawn skokie waukegan elgin aurora joliet
    pulaski cermak kedzie ashland western damen halsted ogden archer lawrence kimball kostner cullerton loomis
    wolcott blue island pershing elston milwaukee clark montrose foster devon diversey fullerton armitage
    division madison roosevelt harrison jackson washington lincoln wabash state california sacramento laramie
    harlem central cicero narragansett kildare crawford kenwood hyde stroger sinai lurie alivio esperanza
    erie whittier kelly piotrowski gads hill juárez juarez benito cristo rey guadalupe san santa saint st pío
    """
)

_EN_CUES = _words(
    """
    neighbor neighbors neighbour neighbours brother brothers sister sisters cousin cousins uncle aunt auntie son
    daughter husband wife mom mother mum dad father grandmother grandma granny grandfather grandpa grandson
    granddaughter nephew niece friend friends coworker co-worker coworkers boss landlord landlady roommate tenant
    partner boyfriend girlfriend fiance fiancé fiancée stepson stepdaughter stepfather stepmother brother-in-law
    sister-in-law in-law law godmother godfather compadre comadre named called mr mrs ms miss mx
    """
)

_ES_CUES = _words(
    """
    vecino vecina vecinos vecinas hermano hermana hermanos hermanas primo prima primos primas tío tía tíos tías
    hijo hija hijos hijas esposo esposa marido mamá mama madre papá papa padre abuelo abuela abuelita abuelito
    nieto nieta sobrino sobrina amigo amiga amigos amigas compañero compañera jefe jefa patrón patrona casero
    casera dueño dueña cuñado cuñada suegro suegra yerno nuera novio novia padrino madrina compadre comadre
    señor señora señorita sr sra srta don doña llama llamado llamada nombre tal
    """
)

_EN_INSTITUTIONS = _words(
    """
    school academy high middle elementary community charter college university hospital clinic center centre church
    parish library park
    station line street st avenue ave road rd boulevard blvd drive dr place pl court ct parkway pkwy square
    department office county consulate restaurant bakery market store foundation health family house village
    """
)

_ES_INSTITUTIONS = _words(
    """
    escuela academia secundaria primaria preparatoria universidad hospital clínica centro iglesia parroquia
    biblioteca parque estación línea calle avenida consulado restaurante panadería mercado tienda fundación
    """
)

_STREET_SUFFIXES = _words(
    """
    st st. street ave ave. av av. avenue rd rd. road blvd blvd. boulevard dr dr. drive ct ct. court pl pl. place
    pkwy pkwy. parkway ln ln. lane ter terrace way hwy highway expy expressway
    """
)

_UNIT_WORDS = _words("apt apt. apartment unit suite ste ste. depto depto. departamento apto apto. apartamento")

ENGLISH = LanguagePack(
    code="en",
    faker_locales=("en_US",),
    person_cues=_EN_CUES,
    function_words=_SHARED_COMMON | _EN_COMMON,
    common_words=_SHARED_COMMON | _EN_COMMON | _EN_OTHER | _CHICAGO_PLACES,
    institution_words=_EN_INSTITUTIONS,
    street_prefixes=frozenset(),
    street_suffixes=_STREET_SUFFIXES,
    unit_words=_UNIT_WORDS,
)

SPANISH = LanguagePack(
    code="es",
    faker_locales=("es_MX", "es_ES"),
    person_cues=_ES_CUES,
    function_words=_SHARED_COMMON | _ES_COMMON,
    common_words=_SHARED_COMMON | _ES_COMMON | _ES_OTHER | _CHICAGO_PLACES,
    institution_words=_ES_INSTITUTIONS | _EN_INSTITUTIONS,
    street_prefixes=_words("calle avenida av av. ave ave. bulevar boulevard"),
    street_suffixes=_STREET_SUFFIXES,
    unit_words=_UNIT_WORDS,
)

#: The packs by language code. Add ``"pl"``, ``"zh"``, ``"ar"`` here (Faker has ``pl_PL``, ``zh_CN``, ``ar_AA``).
LANGUAGE_PACKS: dict[str, LanguagePack] = {pack.code: pack for pack in (ENGLISH, SPANISH)}


def _merge(packs: tuple[LanguagePack, ...]) -> LanguagePack:
    def union(attribute: str) -> frozenset[str]:
        return frozenset().union(*(getattr(p, attribute) for p in packs))

    return LanguagePack(
        code="+".join(p.code for p in packs),
        faker_locales=tuple(locale for p in packs for locale in p.faker_locales),
        person_cues=union("person_cues"),
        function_words=frozenset.intersection(*(p.function_words for p in packs)) | _SHARED_COMMON,
        # A word is "common" in the merged pack only if it is common in every pack: hiding more is the safe side.
        common_words=frozenset.intersection(*(p.common_words for p in packs)) | _SHARED_COMMON | _CHICAGO_PLACES,
        institution_words=union("institution_words"),
        street_prefixes=union("street_prefixes"),
        street_suffixes=union("street_suffixes"),
        unit_words=union("unit_words"),
    )


@lru_cache(maxsize=32)
def pack_for(language: str) -> LanguagePack:
    """The pack for ``language`` ("es", "es-MX", "EN_us" all work); every pack merged when none is known."""
    primary = (language or "").replace("_", "-").split("-")[0].strip().lower()
    if primary in LANGUAGE_PACKS:
        return LANGUAGE_PACKS[primary]
    return _merge(tuple(LANGUAGE_PACKS.values()))
