import pytest

from llm_tutor.diff import compare, missing_attributes, misspelled_properties, normalize, unbalanced, unclosed_tags

EXPECTED = '<img src="a.png" alt="A cat">\n<p>Hello</p>\n<style>p { color: red; }</style>'


def test_attribute_order_quotes_and_whitespace_do_not_matter():
    student = "<IMG alt='A cat'   src=a.png>\n\n   <p>Hello</p>\n<style>p{color:red}</style>"
    assert compare(student, EXPECTED).status == "correct"


def test_css_normalisation():
    assert normalize("h1 {\n  COLOR : red;\n}", "css") == normalize("h1{\ncolor:red\n}", "css")
    assert compare("h1 { color : red; }", "h1 {color:red}", "css").status == "correct"


def test_close_with_specific_hints_and_no_expected_lines():
    result = compare("<img src='a.png' alt='A cat'>\n<p>Hello\n<style>p { colr: red; }</style>", EXPECTED)
    assert result.status == "close"
    summary = result.summary()
    assert summary["first_difference_line"] == 2
    assert any("</p>" in h for h in summary["hints"])
    assert any("'colr'" in h and "'color'" in h for h in summary["hints"])
    assert all(line["code"] != "<p>Hello</p>" for line in summary["lines"])
    assert "color: red" not in str(summary)


def test_off_track():
    result = compare("<div>nothing like it</div>", EXPECTED)
    assert result.status == "off_track"
    assert result.changed + result.missing + result.extra > 0


def test_missing_attribute_and_tag():
    assert missing_attributes('<img src="a.png">', EXPECTED) == [("img", "alt")]
    hints = compare('<img src="a.png">', EXPECTED).hints
    assert "Your <img> tag is missing its alt attribute." in hints
    assert unclosed_tags("<ul><li>a</li>") == ["ul"]
    assert unclosed_tags("<br><img src=x><p>a</p>") == []


def test_misspelled_properties():
    assert misspelled_properties("a { backgrund-color: red; margin: 0 }", "css") == [
        ("backgrund-color", "background-color")
    ]
    assert misspelled_properties('<p style="font-sise: 2px">x</p>', "html") == [("font-sise", "font-size")]
    assert misspelled_properties("a { --brand: red; color: var(--brand) }", "css") == []


@pytest.mark.parametrize(
    ("code", "language", "fragment"),
    [
        ("function f() {\n  return (1 + 2;\n}", "js", "'(' on line 2"),
        ("a { color: red;", "css", "'{' on line 1"),
        ('let s = "hello;\nlet t = 1;', "js", "quote on line 1"),
        ('<a href="x.html>Home</a>', "html", "quote on line 1"),
        ("a { color: red; }}", "css", "extra '}'"),
    ],
)
def test_unbalanced(code, language, fragment):
    assert any(fragment in p for p in unbalanced(code, language))


def test_apostrophes_in_html_text_are_not_quotes():
    assert unbalanced("<p>Kofi's book</p>", "html") == []


def test_empty_expected():
    assert compare("", "").status == "off_track"
    assert compare("<p>x</p>", "").status == "correct"
