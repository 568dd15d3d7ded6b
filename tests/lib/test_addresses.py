import pytest

from ventanilla.lib.addresses import normalise, normalise_phone


@pytest.mark.parametrize(
    "written",
    ["+31 6 1234 5678", "0031612345678", "31612345678", "+31 (6) 12-34-56-78", " +31612345678 "],
)
def test_every_way_of_writing_a_number_gives_one_form(written):
    assert normalise_phone(written) == "+31612345678"


@pytest.mark.parametrize("written", ["hello", "+1", "", "+99912345678901234567"])
def test_what_cannot_be_a_number_is_refused(written):
    with pytest.raises(ValueError):
        normalise_phone(written)


def test_other_schemes_are_trimmed_and_checked():
    assert normalise("webchat", "  visitor-abc ") == "visitor-abc"
    with pytest.raises(ValueError, match="not a valid webchat address"):
        normalise("webchat", "two words")
    with pytest.raises(ValueError, match="unknown address scheme"):
        normalise("fax", "123")


def test_a_phone_number_is_masked_but_for_its_first_digits_and_last_three():
    from ventanilla.lib.addresses import mask_phone

    assert mask_phone("+34699001122") == "+346•••••122"
    assert mask_phone("34699001122") == "+346•••••122"  # a WhatsApp id, without its "+"
    assert mask_phone("") == ""
