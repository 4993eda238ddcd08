"""Reference folders: ``manifest.json`` and one ``<case>.json`` per case, read and written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import model
from model.atomic import atomic_write
from model.checks.regress.cases import ALPHA, ATOL, RTOL, STAT_ATOL, STAT_RTOL, Case
from model.checks.regress.summaries import TABLE_KEYS
from model.errors import InputError
from model.experiments.provenance import environment, now

#: Version of the reference file layout.
FORMAT_VERSION = 1


MANIFEST = "manifest.json"


def _bad(path: Path, what: str) -> InputError:
    return InputError(
        str(path),
        allowed=f"{what}; expected a reference folder with {MANIFEST} and one <case>.json per "
        "case, as written by 'jointvillage regress --reference DIR --update --reason TEXT'",
    )


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise _bad(path, f"{what} not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise _bad(path, f"{what} cannot be read ({err})") from None
    except json.JSONDecodeError as err:
        raise _bad(path, f"{what} is not valid JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(data, dict):
        raise _bad(path, f"{what} is not a JSON object")
    return data


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a reference folder's manifest."""
    if not folder.is_dir():
        raise _bad(folder, "reference folder not found")
    path = folder / MANIFEST
    manifest = _read_json(path, MANIFEST)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(
            path,
            f"format_version {manifest.get('format_version')!r} is not {FORMAT_VERSION}",
        )
    cases = manifest.get("cases")
    if not isinstance(cases, list) or not cases:
        raise _bad(path, "no 'cases' list")
    try:
        manifest["cases"] = [Case.from_dict(c) for c in cases]
    except (KeyError, TypeError, ValueError) as err:
        raise _bad(path, f"a case entry is malformed ({err})") from None
    return manifest


def read_case(folder: Path, case: Case) -> dict[str, Any]:
    """Read and check one case's reference file."""
    path = folder / f"{case.name}.json"
    data = _read_json(path, f"reference of case '{case.name}'")
    try:
        world = data["world"]
        assert isinstance(world["counts"], dict) and isinstance(world["digests"], dict)
        reps = data["replicates"]
        assert isinstance(reps, dict) and reps
        for rep, value in reps.items():
            int(rep)
            for table, columns in value["tables"].items():
                keys = TABLE_KEYS.get(table, ("year",))
                assert all(k in columns for k in keys)
                assert len({len(v) for v in columns.values()}) == 1
    except (KeyError, TypeError, ValueError, AssertionError):
        raise _bad(path, "the file does not have the expected structure") from None
    return data


def _dump(data: Any, indent: int = 0) -> str:
    """JSON with nested objects indented and lists of numbers on one line (small diffs)."""
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            return "{}"
        items = [
            f"{pad} {json.dumps(str(k), ensure_ascii=False)}: {_dump(v, indent + 1)}"
            for k, v in data.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        items = [f"{pad} {_dump(v, indent + 1)}" for v in data]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def write_references(
    folder: Path,
    cases: Sequence[Case],
    results: dict[str, dict[str, Any]],
    reason: str,
    previous: dict[str, Any] | None,
    moved: dict[str, list[str]],
) -> Path:
    """Write the cases' files and the manifest (which keeps the other cases of
    ``previous`` and appends to its history)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now()
    names = {c.name for c in cases}
    kept = [c for c in previous["cases"] if c.name not in names] if previous else []
    for case in cases:
        payload = {
            "case": case.to_dict(),
            "written": stamp,
            **results[case.name],
        }
        atomic_write(folder / f"{case.name}.json", _dump(payload) + "\n")
    history = list(previous.get("history", [])) if previous else []
    history.append(
        {
            "date": stamp,
            "reason": reason,
            "cases": [c.name for c in cases],
            "model_version": model.__version__,
            "moved": moved,
        }
    )
    manifest = {
        "format_version": FORMAT_VERSION,
        "tool": "jointvillage regress",
        "model_version": model.__version__,
        "updated": stamp,
        "reason": reason,
        "platform": environment(),
        "tolerances": {
            "replicate_rtol": RTOL,
            "replicate_atol": ATOL,
            "alpha_familywise": ALPHA,
            "stat_rtol": STAT_RTOL,
            "stat_atol": STAT_ATOL,
        },
        "cases": [c.to_dict() for c in [*kept, *cases]],
        "history": history,
    }
    path = folder / MANIFEST
    atomic_write(path, _dump(manifest) + "\n")
    return path
