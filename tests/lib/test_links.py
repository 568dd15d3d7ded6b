"""Web addresses found in text, and isolated where the text reads right to left."""

from ventanilla.lib.links import isolate_web_addresses, web_addresses

FSI, PDI = "\u2068", "\u2069"


def test_an_address_ends_before_the_punctuation_of_its_sentence():
    text = "See (https://consulado.example.org/citas). Or https://x.org/a_(b), then."
    found = [text[start:end] for start, end in web_addresses(text)]
    assert found == ["https://consulado.example.org/citas", "https://x.org/a_(b)"]


def test_addresses_in_right_to_left_lines_are_isolated_and_others_left_alone():
    arabic = "اقرأ كل شيء: https://example.org/ar/x/."
    assert isolate_web_addresses(arabic) == f"اقرأ كل شيء: {FSI}https://example.org/ar/x/{PDI}."
    spanish = "Léalo todo: https://example.org/es/x/"
    assert isolate_web_addresses(spanish) == spanish
    # A line of an address alone takes the direction of the text around it.
    assert isolate_web_addresses("مرحبا\nhttps://x.org/a") == f"مرحبا\n{FSI}https://x.org/a{PDI}"
    assert isolate_web_addresses("Hola\nhttps://x.org/a") == "Hola\nhttps://x.org/a"
