"""The documents hold together: README opens with the two commands, and every relative link in
README.md, docs/ and the other guides reaches a file, and a heading when it names one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = sorted(
    [
        ROOT / "README.md",
        ROOT / "SECURITY.md",
        ROOT / "ARCHITECTURE.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / folder / "README.md" for folder in ("forge", "bench", "sandbox", "examples")),
    ]
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*```")
HEADING = re.compile(r"^#{1,6} +(.+?) *$")


def anchors(path: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation gone, spaces as hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and (heading := HEADING.match(line)):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            if count:
                seen[f"{slug}-{count}"] = 1
    return set(seen)


def relative_links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link)]


def broken_links(path: Path) -> list[str]:
    broken = []
    for link in relative_links(path):
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            broken.append(f"{link}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{link}: no heading #{anchor} in {file.relative_to(ROOT)}")
    return broken


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_reaches_its_file_and_heading(guide: Path) -> None:
    assert broken_links(guide) == []


def test_readme_opens_with_the_two_commands_and_links_each_moved_document() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = [line for line in readme.splitlines() if line.startswith("## ")]
    assert sections[0] == "## Two commands"
    for document in ("production", "personal-data", "atlassian"):
        assert f"(docs/{document}.md)" in readme
