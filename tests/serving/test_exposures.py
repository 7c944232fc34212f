"""The dbt exposures send readers to documents that exist."""

from __future__ import annotations

import re

import yaml

from throughline.settings import PROJECT_ROOT


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip("# \n").lower()).replace(" ", "-")


def test_exposures_refer_to_documents_and_headings_that_exist() -> None:
    exposures = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/marts/_marts__exposures.yml").read_text())
    text = " ".join(f"{e.get('url', '')} {e.get('description', '')}" for e in exposures["exposures"])
    references = re.findall(r"[\w/.-]+\.md(?:#[\w-]+)?", text)
    assert references, "the Looker Studio exposure names where its set-up is documented"
    for reference in references:
        path, _, anchor = reference.partition("#")
        document = PROJECT_ROOT / path
        assert document.is_file(), f"{reference}: no such file"
        headings = {github_anchor(line) for line in document.read_text().splitlines() if line.startswith("#")}
        assert not anchor or anchor in headings, f"{reference}: no such heading"
