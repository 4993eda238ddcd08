"""The project's docs, code comments, parameter sources and data sheets stand alone.

Users have the repository, not the documents it was designed from: every citation must be
a public source or the project's own docs (docs/ODD.md, docs/architecture.md), and no file
may point at a path outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.paths import PROJECT_ROOT

#: What users of the project read: the README and everything under these folders.
CHECKED = ("README.md", "docs", "model", "agents", "notebooks", "scenarios", "data")

#: Citations of documents outside the repository. ``DESIGN`` as a whole upper-case word
#: (``DESIGN.md``, ``DESIGN section 4``, ``DESIGN §8``, ``DESIGN glossary``); identifiers
#: such as ``DESIGN_STREAM`` (experimental designs) are not citations.
FORBIDDEN = {
    "the design document": re.compile(r"\bDESIGN\b"),
    "the design brief": re.compile(r"design\s+brief", re.IGNORECASE),
    # Across a line break in a comment or between two string pieces too.
    "the calibration sheet": re.compile(r"calibration[\s#\"']*sheet", re.IGNORECASE),
    "an absolute path": re.compile(r"(?<![\w.~/:-])/(?:work|root|home|tmp|Users)/"),
    "a path beside the repository": re.compile(r"\.\./shared\b"),
}


def _files() -> list[Path]:
    """Every text file users read, skipping caches and binary files."""
    found: list[Path] = []
    for name in CHECKED:
        path = PROJECT_ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            if not candidate.is_file() or "__pycache__" in candidate.parts:
                continue
            if candidate.suffix in {".pyc", ".parquet", ".png", ".gpkg", ".zip"}:
                continue
            found.append(candidate)
    return found


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def test_the_checked_folders_exist() -> None:
    for name in CHECKED:
        assert (PROJECT_ROOT / name).exists(), name
    assert len(_files()) > 50


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_citation_of_documents_users_do_not_have(what: str) -> None:
    pattern = FORBIDDEN[what]
    hits = []
    for path in _files():
        text = _text(path)
        if text is None:
            continue
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            hits.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {match.group(0)!r}")
    assert not hits, f"{what} cited:\n" + "\n".join(hits)


@pytest.mark.parametrize(
    "text",
    [
        "see DESIGN.md",
        "(DESIGN section 4.2)",
        "(DESIGN §8)",
        "DESIGN glossary: weak village",
        "departures from the design brief",
        "(calibration sheet)",
        '(calibration "\n        "sheet: 5.6-6.0)',
        "# (Binzhou Daily 2023; calibration\n# sheet).",
        "(`/work/shared/data/calibration.md`)",
        "read /root/notes.txt",
        "see ../shared/data",
    ],
)
def test_the_patterns_catch_what_they_are_for(text: str) -> None:
    assert any(pattern.search(text) for pattern in FORBIDDEN.values())


@pytest.mark.parametrize(
    "text",
    [
        "DESIGN_STREAM = 1000",
        "Design concepts",
        "https://example.org/home/page",
        "docs/ODD.md section 8",
        "model calibration: 181 alliances",
    ],
)
def test_the_patterns_leave_ordinary_text_alone(text: str) -> None:
    assert not any(pattern.search(text) for pattern in FORBIDDEN.values())


def test_the_validation_report_shows_no_scratch_path() -> None:
    from model.checks.validation.report import _shown_command

    assert _shown_command("jointvillage validation --replicates 5 --out /tmp/v.md") == (
        "jointvillage validation --replicates 5"
    )
    inside = f"jointvillage validation --out {PROJECT_ROOT / 'docs' / 'validation.md'} --check x"
    assert _shown_command(inside) == "jointvillage validation --out docs/validation.md --check x"
    relative = "jointvillage validation --replicates 1 --out docs/validation.md"
    assert _shown_command(relative) == relative
