from llm_tutor.guardrails import StreamGuard, cap_length, guard_reply, leaks

from ..conftest import EXPECTED_HTML, STARTER_HTML


def test_whole_expected_code_is_a_leak_whatever_the_spacing_or_quotes():
    reply = "Here you go:\n```html\n" + EXPECTED_HTML.replace('"', "'").replace("\n", "\n    ") + "\n```"
    assert leaks(reply, EXPECTED_HTML, STARTER_HTML)


def test_most_lines_is_a_leak_but_starter_lines_are_not():
    two_of_two = '<img src="kente.jpg" alt="A colourful kente cloth">\n<p>Kente is woven by hand.</p>'
    assert leaks(f"Try {two_of_two}", EXPECTED_HTML, STARTER_HTML)
    assert not leaks("Your <h1>Welcome to Kumasi</h1> is fine already.", EXPECTED_HTML, STARTER_HTML)
    assert not leaks("Add an alt attribute that says what the picture shows.", EXPECTED_HTML, STARTER_HTML)


def test_guard_replaces_and_caps(settings):
    settings.TUTOR_REPLY_MAX_CHARS = 60
    text, replaced = guard_reply(EXPECTED_HTML, expected=EXPECTED_HTML, fallback="Hint: check your img tag.")
    assert replaced and text == "Hint: check your img tag."
    long = "This is a sentence. " * 20
    assert len(cap_length(long)) <= 60
    ok, replaced = guard_reply("Fine.", expected=EXPECTED_HTML, fallback="x")
    assert not replaced and ok == "Fine."


def test_stream_guard_never_releases_a_secret_line():
    guard = StreamGuard(EXPECTED_HTML, STARTER_HTML)
    out = ""
    for token in ["Use ", "this: ", '<img src="kente', '.jpg" alt="A colourful', ' kente cloth">', "\nthen more"]:
        out += guard.feed(token)
    out += guard.flush()
    assert guard.tripped
    assert "kente.jpg" not in out and "colourful" not in out


def test_stream_guard_passes_normal_text():
    guard = StreamGuard(EXPECTED_HTML, STARTER_HTML)
    out = "".join(guard.feed(t) for t in ["Add ", "an alt ", "attribute ", "to your image."]) + guard.flush()
    assert out == "Add an alt attribute to your image." and not guard.tripped


CSS_EXPECTED = "h1 {\n  color: red;\n}"
CSS_STARTER = "h1 {\n}\n"


def test_short_answers_are_leaks_without_their_punctuation():
    assert leaks("Try h1 { color: red }", CSS_EXPECTED, CSS_STARTER)
    assert leaks("Add color: red to your h1 rule.", CSS_EXPECTED, CSS_STARTER)
    assert leaks("Write color red inside the braces.", CSS_EXPECTED, CSS_STARTER)
    bare_img = 'Type img src="kente.jpg" alt="A colourful kente cloth" after the heading.'
    assert leaks(bare_img, EXPECTED_HTML, STARTER_HTML)
    reordered = 'Use <img alt="A colourful kente cloth" src="kente.jpg">'
    assert leaks(reordered, EXPECTED_HTML, STARTER_HTML)


def test_hints_that_name_the_concept_are_not_leaks():
    for hint in (
        "Which property changes the colour of text? Put it inside the braces.",
        "Check the colour value you chose for your heading.",
        "Your img needs an alt attribute that describes the picture.",
        "Put the file name of the picture in the src attribute.",
    ):
        assert not leaks(hint, CSS_EXPECTED, CSS_STARTER)
        assert not leaks(hint, EXPECTED_HTML, STARTER_HTML)


def test_what_the_student_already_wrote_is_not_a_secret():
    student_code = "h1 {\n  color: red;\n}"
    assert not leaks("Your color: red is right; now check the braces.", CSS_EXPECTED, CSS_STARTER + student_code)


def test_stream_guard_holds_words_that_could_start_a_secret():
    guard = StreamGuard(CSS_EXPECTED, CSS_STARTER)
    shown = guard.feed("Nearly there. ") + guard.feed("Just add colo") + guard.feed("r") + guard.feed(": red to it.")
    shown += guard.flush()
    assert guard.tripped
    assert shown == "Nearly there. Just add "


def test_stream_guard_holds_an_open_code_fence():
    guard = StreamGuard(CSS_EXPECTED, CSS_STARTER)
    shown = guard.feed("Look:\n```css\nh1 {\n") + guard.feed("  color: ") + guard.feed("red;\n}\n```")
    shown += guard.flush()
    assert guard.tripped and "color" not in shown


def test_quoting_the_students_own_typo_is_not_a_leak():
    expected = "<!DOCTYPE html>\n<html>\n</html>"
    given = "<DOCTYPE html>\n<html>\n</html>"
    reply = "The doctype line is missing its exclamation mark (line 1: <DOCTYPE html>)"
    assert not leaks(reply, expected, given)


def test_a_students_partial_line_does_not_hide_the_rest_of_the_answer():
    expected = '<img src="kente.png" alt="Kente cloth">'
    given = '<img src="kente.png"'
    assert leaks('Write <img src="kente.png" alt="Kente cloth">', expected, given)


def test_naming_a_property_the_student_misused_is_not_a_leak():
    reply = "background-color paints the background: the colour of the text is set with color. (line 2: background-color: green;)"
    assert not leaks(reply, "h1 {\n  color: green;\n}", "h1 {\n}\nh1 {\n  background-color: green;\n}")
    assert leaks(
        "Write color: green; in the rule.", "h1 {\n  color: green;\n}", "h1 {\n}\nh1 {\n  background-color: green;\n}"
    )


def test_repeating_the_students_own_wrong_line_is_not_a_leak():
    expected = "p {\n  padding: 16px;\n  color: navy;\n}"
    student = "p {\n  padding 16px;\n  color: navy;\n}"
    reply = "Look at padding 16px; in your rule: something small is missing between the two words."
    assert not leaks(reply, expected, student)


def test_fixing_the_students_typo_for_them_is_a_leak_even_in_another_attribute_order():
    expected = '<img src="kente.png" alt="">'
    student = '<img scr="kente.png" alt="">'
    assert leaks('Write it as <img alt="" src="kente.png" /> instead.', expected, student)
    assert not leaks("Check the spelling of the attribute that names the picture file.", expected, student)


def test_vet_reply_strips_echoed_scaffolding_and_refuses_non_answers():
    from llm_tutor.guardrails import vet_reply

    facts = ["Your <img> tag is missing its alt attribute."]
    text, why = vet_reply(
        "<student_code>\nChecker result: close\nYour img tag needs alt text for screen readers.",
        facts=facts,
        language="en",
        cut=False,
        limit=300,
    )
    assert (text, why) == ("Your img tag needs alt text for screen readers.", "ok")
    assert vet_reply("The answer is: [B7.1.1.1]", facts=[], language="en", cut=False, limit=300) == (None, "empty")
    assert vet_reply("Drink water and rest well today, friend.", facts=facts, language="en", cut=False, limit=300)[
        1
    ] == ("off_problem")
    assert vet_reply("```python\nprint(1)\n```", facts=[], language="en", cut=False, limit=300)[1] == "code_block"
    assert vet_reply("你的图片需要替代文本，请添加。", facts=[], language="en", cut=False, limit=300)[1] == (
        "wrong_language"
    )


def test_vet_reply_keeps_the_whole_sentences_of_a_cut_reply():
    from llm_tutor.guardrails import vet_reply

    cut = "Your img tag needs an alt attribute. It tells a screen reader what the"
    assert vet_reply(cut, facts=[], language="en", cut=True, limit=300) == (
        "Your img tag needs an alt attribute.",
        "ok",
    )
    assert vet_reply("Your img tag needs an alt attribute that", facts=[], language="en", cut=True, limit=300) == (
        None,
        "cut_off",
    )


def test_stream_guard_releases_whole_sentences_past_half_the_limit():
    guard = StreamGuard("", "", limit=60)
    shown = "".join(
        guard.feed(t) for t in ["Your img needs ", "an alt attribute. ", "It tells a screen ", "reader what"]
    )
    assert shown == "Your img needs an alt attribute."  # the unfinished second sentence is held back
