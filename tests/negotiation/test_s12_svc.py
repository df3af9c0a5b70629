"""Service fit, session 12 (slice "svc"): the same object under another kind of work
(cleaning windows is not replacing them, tuning a piano is not moving it, printing photos
is not taking them) in the languages the glossary covers. All texts are invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.actions import actions, other_action
from tests.negotiation.helpers import decided

# --- the actions a phrase names ---------------------------------------------------------


def test_the_kind_of_work_is_read_in_english_and_other_languages() -> None:
    assert actions("gutter cleaning, Leeds") == {"cleans"}
    assert actions("Fensterreinigung in Graz") == {"cleans"}
    assert actions("limpieza de oficinas") == {"cleans"}
    assert actions("new boiler installed before winter") == {"installs"}
    assert actions("déménagement d'un canapé") == {"moves"}
    assert actions("Klavierstimmung und kleine Reparaturen") == {"tunes", "repairs"}
    assert actions("accordeur de guitares") == {"tunes"}
    assert actions("canvas prints of your holiday snaps") == {"prints"}
    assert actions("fotografa per matrimoni") == {"photographs"}


def test_words_that_name_no_kind_of_work_are_not_read_as_one() -> None:
    # a model's fine-tuning is what GPU hours are for; a tenant's move-in date; a
    # washing machine is a thing, not a wash; a fingerprint is not a print
    assert actions("GPU hours for fine-tuning a model") == frozenset()
    assert actions("double room, moving in 1 October") == frozenset()
    assert actions("washing machine makes a noise") == frozenset()
    assert actions("fingerprint scanner for our door") == frozenset()
    assert actions("Honda Accord, 2014") == frozenset()


def test_the_same_object_under_another_kind_of_work_is_another_service() -> None:
    assert other_action("carpet cleaning, Derby", "new carpet fitted in the lounge")
    assert other_action("guitar tuning & setup", "someone to move a piano upstairs")
    assert other_action("photo printing on canvas", "photographer for our engagement")
    assert other_action("Fensterreinigung Linz", "alte Fenster: replace two sashes")


def test_related_or_shared_kinds_of_work_are_the_same_service() -> None:
    # whoever repairs also replaces parts; a tuner also repairs; a van rented is moved in
    assert other_action("boiler repair, Swansea", "replace the pump on my boiler") is None
    assert other_action("piano tuning and repair", "sticky piano keys need fixing") is None
    assert other_action("renting a Luton van, £80/day", "van to move my flat") is None
    assert other_action("gutter cleaning", "gutters cleaned at a bungalow") is None
    # a phrase that names no work decides nothing
    assert other_action("Glazier, Exeter", "replace a cracked pane") is None


_PHRASES = st.text(
    alphabet=st.sampled_from("abcdefghijklmnoprstuvwy -éü"), min_size=0, max_size=40
) | st.sampled_from(
    ["window cleaning", "replace windows", "move a piano", "piano tuning", "photo prints",
     "photographer", "van rental", "moving house", "dog trainer", "dog grooming"]
)  # fmt: skip


@given(_PHRASES, _PHRASES)
def test_another_kind_of_work_is_symmetric_and_never_between_one_phrase(a: str, b: str) -> None:
    assert other_action(a, a) is None
    assert (other_action(a, b) is None) == (other_action(b, a) is None)


# --- end to end ---------------------------------------------------------------------------


def test_a_cleaner_is_not_proposed_for_replacing_what_they_clean() -> None:
    ok, why, _ = decided(
        "Gutter cleaning, Leeds. Bungalow £45, semi £60.",
        "need quotes to replace the rusty gutters on my semi in Leeds, up to £900",
    )
    assert not ok
    assert "different services" in why


def test_a_cleaner_is_proposed_for_the_cleaning() -> None:
    ok, why, price = decided(
        "Gutter cleaning, Leeds. Semi £60.",
        "our gutters are full of moss, need them cleaned, semi in Leeds, max £80",
    )
    assert ok, why
    assert price == 60


def test_a_tuner_is_not_proposed_for_moving_the_instrument() -> None:
    ok, why, _ = decided(
        "Accordeur de pianos, Nantes et environs, 85 €.",
        "Besoin de déménager un piano à queue à Nantes, rez-de-chaussée. Budget 400 €.",
    )
    assert not ok
    assert "different services" in why


# --- greetings name no service ------------------------------------------------------------


def test_a_greeting_in_another_language_is_not_read_as_the_service() -> None:
    from mediator_actors.negotiation.reader import read_terms

    terms = read_terms("Salut ! Nous cherchons un plombier à Rennes, budget 150 €.", offer=False)
    assert not terms.service.lower().startswith("salut")
    terms = read_terms("Servus, unsere Küche braucht neue Fliesen. Max 900 €.", offer=False)
    assert terms.service.startswith("unsere Küche")
    # a name that only begins like a greeting is kept
    terms = read_terms("Hey Jude cover band, four members, 400 € a night.", offer=True)
    assert terms.service.lower().startswith("hey jude")


def test_a_seek_after_its_greeting_is_compared_and_fits() -> None:
    ok, why, _ = decided(
        "Flyer printing A6, 1000 pcs 60 EUR, Salzburg.",
        "Servus! Für unser Sommerfest brauchen wir 1000 Flyer A6. Budget 80 EUR.",
    )
    assert "different services" not in why, why
    assert ok, why


# --- the glossary: compounds and more trades ----------------------------------------------


def test_a_compound_of_two_glossary_words_is_put_into_english() -> None:
    from mediator_actors.negotiation.glossary import in_english

    assert in_english("Fensterreinigung in Linz") == "windows cleaning in Linz"
    assert in_english("Klavierlehrerin gesucht") == "piano teacher gesucht"
    # a part the glossary does not know, or an English word, is left as it is
    assert in_english("Gartenpflegedienst") == "Gartenpflegedienst"
    assert in_english("understanding the brief") == "understanding the brief"


def test_a_word_shared_with_another_language_is_read_only_beside_its_own() -> None:
    from mediator_actors.negotiation.glossary import in_english

    assert in_english("Les voor beginners, Nederlandse grammatica") == (
        "lessons for beginners, Dutch grammatica"
    )
    assert in_english("les enfants adorent") == "les enfants adorent"


def test_trades_of_other_languages_are_put_into_english() -> None:
    from mediator_actors.negotiation.glossary import in_english

    assert in_english("Hondenoppas, 2 bezoeken") == "dog sitter, 2 visits"
    assert in_english("Legendas em português") == "subtitles em Portuguese"
    assert in_english("subarriendo mi piso") == "sublet my flat"
    assert in_english("Passeios de veleiro") == "trips de sailboat"


def test_a_dutch_cat_sitter_fits_a_seek_to_feed_a_cat() -> None:
    ok, why, price = decided(
        "Kattenoppas in Utrecht-Oost. €12 per dag (1 bezoek).",
        "away for 5 days, need someone to feed my cat in Utrecht, max €70",
    )
    assert ok, why
    assert price == 60
    ok, why, _ = decided(
        "Kattenoppas in Utrecht-Oost. €12 per dag (1 bezoek).",
        "need a mobile mechanic in Utrecht to change my brake pads, max €70",
    )
    assert not ok
    assert "different services" in why


# --- a pronoun names no service; firewood by its measures ---------------------------------


def test_a_pronoun_is_never_the_service() -> None:
    from mediator_actors.negotiation.reader import read_terms

    terms = read_terms(
        "Kiln-dried ash logs, nets of 40 L. €9 a net. Delivery €10 if you need it.", offer=True
    )
    assert "it" not in terms.service_candidates
    assert terms.service.startswith("kiln-dried ash logs")


def test_firewood_fits_a_seek_counted_in_its_measures_only() -> None:
    from mediator_actors.negotiation.trades import trade_fit

    assert trade_fit(["Kiln-dried ash firewood"], "need 3 face cords for the stove") == "firewood"
    assert trade_fit(["Kiln-dried ash firewood"], "4 Raummeter Buche bitte") == "firewood"
    assert trade_fit(["Kiln-dried ash firewood"], "need a 2m extension cord") is None


def test_sworn_translators_in_dutch_and_spanish_are_put_into_english() -> None:
    from mediator_actors.negotiation.glossary import in_english

    assert in_english("beëdigd vertaler") == "sworn translator"
    assert in_english("traductora jurada") == "translator sworn"
