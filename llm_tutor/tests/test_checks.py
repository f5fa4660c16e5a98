"""Step checks on real parses: verdicts that ignore formatting, diagnoses that name the mistake
with the student's own line, a sandbox that survives hostile scripts, and the check schema."""

import time

import pytest

from llm_tutor.checks import CheckError, evaluate, validate_checks
from llm_tutor.checks.derive import derive
from llm_tutor.checks.sandbox import TIME_LIMIT_MS, run_script

H1_GREEN = [
    {"id": "parses", "kind": "css.parses", "message": "Check your CSS."},
    {
        "id": "h1",
        "kind": "css.declaration",
        "selector": "h1",
        "property": "color",
        "values": ["green"],
        "message": "Make h1 green.",
    },
]
CARD = [
    {"id": "parses", "kind": "css.parses", "message": "Check your CSS."},
    {
        "id": "pad",
        "kind": "css.declaration",
        "selector": ".card",
        "property": "padding",
        "values": ["16px"],
        "message": "Pad the card.",
    },
    {
        "id": "col",
        "kind": "css.declaration",
        "selector": ".card",
        "property": "color",
        "values": ["red"],
        "message": "Red text.",
    },
]
PAGE = '<body><button id="hello">Hi</button><p id="out"></p></body>'


def judge(code, checks, language, **kw):
    return evaluate(code=code, language=language, checks=checks, **kw)


@pytest.mark.parametrize("code", ["h1{color:#008000}", "h1 { color: rgb(0, 128, 0); }", "H1 {\n  COLOR: Green\n}"])
def test_colours_are_compared_as_colours(code):
    assert judge(code, H1_GREEN, "css").status == "correct"


def test_declaration_order_and_shorthand_sides_do_not_matter():
    assert judge(".card { color: red; padding: 16px 16px 16px; }", CARD, "css").status == "correct"
    assert (
        judge(
            ".card{padding-top:16px;padding-right:16px;padding-bottom:16px;padding-left:16px;color:red}", CARD, "css"
        ).status
        == "correct"
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (".card { padding: 16; color: red; }", ["no unit", "line 1"]),
        (".card { padding 16px; color: red; }", ["colon"]),
        ("card { padding: 16px; color: red; }", ["dot"]),
        (".card { colour: red; padding: 16px; }", ["did you mean 'color'?"]),
    ],
)
def test_css_diagnosis_names_the_mistake(code, words):
    evaluation = judge(code, CARD, "css")
    assert evaluation.status != "correct"
    sentence = evaluation.diagnosis.text().lower()
    assert all(word in sentence for word in words), sentence


def test_a_css_step_without_its_brace_is_not_about_html():
    sentence = judge("h1\n  color: green;\n}", H1_GREEN, "css").diagnosis.text()
    assert "{" in sentence and "heading" not in sentence.lower()


HTML_EXPECTED = (
    '<body>\n  <h1>Akwaaba!</h1>\n  <a href="https://ges.gov.gh">GES</a>\n  <img src="k.png" alt="Kente">\n</body>'
)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            '<body>\n  <hl>Akwaaba!</hl>\n  <a href="https://ges.gov.gh">GES</a>\n  <img src="k.png" alt="Kente">\n</body>',
            ["<hl>", "did you mean <h1>?", "line 2"],
        ),
        (
            '<body>\n  <h1>Akwaaba!</h1>\n  <a herf="https://ges.gov.gh">GES</a>\n  <img src="k.png" alt="Kente">\n</body>',
            ["did you mean 'href'?"],
        ),
        (
            '<body>\n  <h1>Akwaaba!</h1>\n  <a href="ges.gov.gh">GES</a>\n  <img src="k.png" alt="Kente">\n</body>',
            ["https://"],
        ),
        (
            '<body>\n  <h1>Akwaaba!</h1>\n  <a href="https://ges.gov.gh">GES</a>\n  <img src="k.png">\n</body>',
            ["alt attribute"],
        ),
        (
            '<body>\n  <h1>Akwaaba!\n  <a href="https://ges.gov.gh">GES</a>\n  <img src="k.png" alt="Kente">\n</body>',
            ["<h1>", "not closed"],
        ),
        (
            '<body>\n  <h1>Akwaaba!</h1>\n  <a href="https://ges.gov.gh">GES</a>\n  <image src="k.png" alt="Kente">\n</body>',
            ["<img>"],
        ),
    ],
)
def test_html_diagnosis_with_derived_checks(code, words):
    evaluation = judge(code, derive(HTML_EXPECTED, "html"), "html", expected_code=HTML_EXPECTED)
    assert evaluation.status != "correct"
    sentence = evaluation.diagnosis.text().lower()
    assert all(word in sentence for word in words), sentence
    assert "</image>" not in sentence and "</doctype>" not in sentence


def test_extra_attributes_and_other_quotes_are_still_correct():
    code = "<body><h1 class=big>Akwaaba!</h1><a target=_blank href='https://ges.gov.gh'>GES</a><img alt=Kente src=k.png></body>"
    assert judge(code, derive(HTML_EXPECTED, "html"), "html", expected_code=HTML_EXPECTED).status == "correct"


def test_the_doctype_without_its_exclamation_mark_is_named():
    checks = [{"id": "d", "kind": "html.doctype", "message": "Add the doctype."}]
    sentence = judge("<DOCTYPE html>\n<html></html>", checks, "html").diagnosis.text()
    assert "exclamation mark" in sentence and "</doctype>" not in sentence


JS_EXPECTED = 'const button = document.querySelector("#hello");\nbutton.addEventListener("click", () => {\n  alert("Akwaaba!");\n});'


@pytest.mark.parametrize(
    "code",
    [
        "const button = document.querySelector('#hello')\nbutton.onclick = function () { alert('Akwaaba!') }",
        "document.querySelector('#hello').addEventListener('click', () => alert('Akwaaba!'))",
    ],
)
def test_js_behaviour_accepts_other_ways_to_write_it(code):
    checks = derive(JS_EXPECTED, "js", PAGE)
    assert judge(code, checks, "js", expected_code=JS_EXPECTED, page_html=PAGE).status == "correct"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            'const button = document.querySelector("hello");\nbutton.addEventListener("click", () => alert("Akwaaba!"));',
            ["hash #"],
        ),
        (
            'const button = document.querySelector("#hello");\nbutton.addEventListner("click", () => alert("Akwaaba!"));',
            ["addeventlistener"],
        ),
        (
            'const button = document.querySelector("#hello");\nbutton.addEventListener("click", alert("Akwaaba!"));',
            ["straight away"],
        ),
    ],
)
def test_js_diagnosis_names_the_mistake(code, words):
    checks = derive(JS_EXPECTED, "js", PAGE)
    evaluation = judge(code, checks, "js", expected_code=JS_EXPECTED, page_html=PAGE)
    assert evaluation.status != "correct"
    sentence = evaluation.diagnosis.text().lower()
    assert all(word in sentence for word in words), sentence


LOOP = [
    {"id": "parses", "kind": "js.parses", "message": "Check your code."},
    {"id": "logs", "kind": "js.behaviour", "expect": {"logs": ["1", "2", "3", "4", "5"]}, "message": "Log 1 to 5."},
]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("for (let i = 1; i < 5; i++) {\n  console.log(i);\n}", ["one time too few"]),
        ("for (let i = 0; i < 5; i++) {\n  console.log(i);\n}", ["starts at 0"]),
        ("for (let i = 1, i <= 5, i++) {\n  console.log(i);\n}", ["semicolons"]),
        ('let x = 3;\nif x === 3 {\n  console.log("1");\n}', ["round brackets"]),
        ('let x = 3;\nif (x = 3) {\n  console.log("1");\n}', ["==="]),
        ("function count() {\n  for (let i = 1; i <= 5; i++) console.log(i);\n}", ["never call"]),
    ],
)
def test_js_behaviour_diagnosis(code, words):
    evaluation = judge(code, LOOP, "js")
    assert evaluation.status != "correct"
    sentence = evaluation.diagnosis.text().lower()
    assert all(word in sentence for word in words), sentence


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("while (true) {}", ["too long"]),
        # Either limit may stop it first, depending on how busy the machine is.
        ("const a = [];\nwhile (true) { a.push(new Array(1000000).fill(0)); }", ["too long|memory"]),
        ("function f() { return f(); }\nf();", ["calls itself"]),
        ('fetch("https://example.com")', ["not available"]),
        ('const fs = require("fs");', ["not available"]),
        ("console.log(process.env)", ["not available"]),
        ('import("https://example.com/x.js")', ["not available"]),
    ],
)
def test_hostile_scripts_get_a_clear_hint_in_time_and_the_worker_survives(code, words):
    started = time.perf_counter()
    evaluation = judge(code, LOOP, "js")
    assert (time.perf_counter() - started) * 1000 < TIME_LIMIT_MS * 5
    assert evaluation.status != "correct"
    sentence = evaluation.diagnosis.text().lower()
    assert all(any(w in sentence for w in word.split("|")) for word in words), sentence
    assert run_script("console.log(1 + 1)").logs == ["2"]


def test_an_allocation_that_aborts_v8_costs_only_the_sandbox_worker():
    started = time.perf_counter()
    run = run_script("new Array(2 ** 30).fill(0)")
    assert run.out_of_memory and time.perf_counter() - started < 5
    assert run_script("console.log('still here')").logs == ["still here"]


def test_the_sandbox_has_no_network_filesystem_or_modules():
    run = run_script(
        "console.log(typeof fetch, typeof require, typeof process, typeof XMLHttpRequest);"
        "try { fetch('http://127.0.0.1') } catch (e) { console.log(e.message) }"
    )
    assert run.logs[0] == "function function undefined function"
    assert "not available" in run.logs[1]


def test_the_stub_dom_runs_listeners_and_text():
    code = (
        "const out = document.getElementById('out');\n"
        "document.querySelector('#hello').addEventListener('click', () => { out.textContent = 'Thanks'; console.log('clicked') });"
    )
    run = run_script(
        code,
        html=PAGE,
        fire={"selector": "#hello", "event": "click"},
        text_selectors=("#out",),
        listener_queries=(("#hello", "click"),),
    )
    assert run.texts["#out"] == ["Thanks"] and run.logs == ["clicked"] and run.listeners["#hello|click"]


@pytest.mark.parametrize(
    ("checks", "words"),
    [
        ([{"id": "a", "kind": "html.nope", "message": "x"}], ["check 1 ('a')", "unknown kind"]),
        ([{"id": "a", "kind": "html.element", "message": "x", "selector": "ul >> li"}], ["check 1 ('a')", "selector"]),
        (
            [{"id": "a", "kind": "css.parses", "message": "x"}, {"id": "a", "kind": "css.parses", "message": "y"}],
            ["check 2 ('a')", "twice"],
        ),
        ([{"id": "b", "kind": "html.text", "selector": "p", "message": "x"}], ["check 1 ('b')", "exactly one of"]),
        ([{"id": "c", "kind": "js.behaviour", "message": "x", "expect": {"sound": 1}}], ["check 1 ('c')", "expect"]),
        (
            [
                {
                    "id": "d",
                    "kind": "html.attribute",
                    "selector": "a",
                    "attribute": "href",
                    "pattern": "(",
                    "message": "x",
                }
            ],
            ["regular expression"],
        ),
        ([{"id": "e", "kind": "css.parses"}], ["message"]),
        ({"id": "x"}, ["list"]),
    ],
)
def test_malformed_checks_are_refused_naming_the_check(checks, words):
    with pytest.raises(CheckError) as raised:
        validate_checks(checks)
    assert all(word in str(raised.value).lower() for word in words), str(raised.value)


def test_derived_checks_are_valid_and_accept_the_expected_code():
    for expected, language in ((HTML_EXPECTED, "html"), ("h1 {\n  color: green;\n}", "css"), (JS_EXPECTED, "js")):
        checks = derive(expected, language)
        validate_checks(checks)
        assert judge(expected, checks, language, expected_code=expected).status == "correct"


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ('\x00\x0b<a \x01="\x0c">\x1f</a>', "html"),
        ("<div>" * 3000, "html"),
        ("<svg><foo:bar xmlns:foo='x'/></svg><a b:c=1 1x=2 =3>", "html"),
        ("}" * 100 + "@media (x) { h1 { color: red } } h1{--x: 1}", "css"),
        ("(" * 5000, "js"),
        ("Object.defineProperty(globalThis, '__mrict', {value: 1})", "js"),
    ],
)
def test_garbage_gets_a_verdict_not_an_exception(code, language):
    expected = {"html": HTML_EXPECTED, "css": "h1 {\n  color: green;\n}", "js": JS_EXPECTED}[language]
    evaluation = judge(code, derive(expected, language), language, expected_code=expected)
    assert evaluation.status in ("close", "off_track") and evaluation.diagnosis is not None
