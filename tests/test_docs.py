"""Generated documentation stays true to the code."""

from pathlib import Path

from blockyard.settings import settings_reference

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_configuration_reference_is_up_to_date() -> None:
    text = (DOCS / "operations.md").read_text()
    start = text.index("<!-- BEGIN CONFIG REFERENCE -->\n") + len(
        "<!-- BEGIN CONFIG REFERENCE -->\n"
    )
    end = text.index("<!-- END CONFIG REFERENCE -->")
    assert text[start:end] == settings_reference(), (
        "docs/operations.md is out of date: paste the output of `blockyard config` "
        "between its CONFIG REFERENCE markers"
    )
