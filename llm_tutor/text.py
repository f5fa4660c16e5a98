"""Small text helpers shared by retrieval and the diff."""

import re

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STOPWORDS = frozenset(
    "a an the is are was were be to of and or in on at for with by it its this that what how why do does "
    "did i my me you your we can cant can't should would will not no yes so if then than as from into "
    "which who when where there their they them he she his her our us am been being have has had".split()
)


def normalize_query(text: str) -> str:
    return " ".join(text.lower().split())


def tokenize(text: str) -> list[str]:
    tokens = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        tokens.append(tok)
        if "-" in tok:
            tokens.extend(p for p in tok.split("-") if p and p not in STOPWORDS)
    return tokens
