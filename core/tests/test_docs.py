"""A newcomer's first contact: the README's and docs/' links lead to files of this
repository (a clone has no ../shared), and what the README says about access holds."""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
DOCS = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PATH_IN_CODE = re.compile(r"`(\.\./[^`]+)`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_local_link_is_a_file_of_this_repository(doc):
    text = doc.read_text()
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+://", target):
            continue
        resolved = (doc.parent / target).resolve()
        assert BASE_DIR in resolved.parents, f"{doc.name} links outside the repository: {target}"
        assert resolved.exists(), f"{doc.name} links to a missing file: {target}"
    assert PATH_IN_CODE.findall(text) == [], f"{doc.name} points outside the repository"


def test_the_architecture_and_client_contract_docs_exist_and_the_readme_links_them():
    readme = (BASE_DIR / "README.md").read_text()
    for name in ("docs/architecture.md", "docs/client-contract.md"):
        assert (BASE_DIR / name).stat().st_size > 2000
        assert f"]({name})" in readme


def test_the_readme_says_tutor_status_is_for_admins(client_for, make_user):
    readme = (BASE_DIR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if "`/api/tutor/status/`" in line)
    assert row.rstrip(" |").endswith("admins")
    assert client_for(make_user("student")).get("/api/tutor/status/").status_code == 403
    assert client_for(make_user("admin")).get("/api/tutor/status/").status_code == 200
