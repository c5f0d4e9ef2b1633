"""Notebook parameters: discovering the notebooks, reading each one's ``parameters`` cell, and
checking the values given (YAML file, ``-p``) against what each notebook declares.

A parameter a notebook does not declare is refused with a did-you-mean (papermill itself only
warns and drops it); a notebook without a ``parameters`` cell is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from crm_research.config import NOTEBOOKS_DIR

NOTEBOOK_RE = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")


class ParameterError(ValueError):
    """A parameter is not declared by the notebook it is meant for, or a notebook has none."""


def discover(notebooks_dir: Path = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The ``NN_*.ipynb`` notebooks in order; ``only`` keeps those whose NN (or stem) is listed."""
    nbs = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if only:
        wanted = {str(o) for o in only}
        nbs = [p for p in nbs if p.name[:2] in wanted or p.stem in wanted]
        if not nbs:
            raise ParameterError(f"--only {', '.join(only)} matches no notebook in {notebooks_dir}")
    return nbs


def declared_parameters(nb: Path) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell, with their default values."""
    import nbformat
    import papermill

    cells = nbformat.read(nb, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{nb.name}: expected exactly one cell tagged 'parameters', found {len(tagged)}"
        )
    info = papermill.inspect_notebook(str(nb))
    out = {}
    for name, p in info.items():
        try:
            out[name] = yaml.safe_load(p["default"]) if p["default"] else None
        except yaml.YAMLError:
            out[name] = p["default"]
    return out


def _plain(value: Any) -> Any:
    """YAML reads 2025-09-30 as a date; notebooks take dates as ISO strings (and papermill
    passes parameters as JSON)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def parse_overrides(items: list[str]) -> list[tuple[str | None, str, Any]]:
    """``['n_people=5000', '01.seed=3']`` → [(None, 'n_people', 5000), ('01', 'seed', 3)]."""
    out = []
    for it in items:
        if "=" not in it:
            raise ParameterError(f"-p {it!r}: expected name=value")
        key, raw = it.split("=", 1)
        nb, _, name = key.rpartition(".")
        out.append((nb or None, name.strip(), _plain(yaml.safe_load(raw))))
    return out


def _did_you_mean(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    return f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def parameter_help(nb: Path) -> list[dict[str, str]]:
    """The notebook's parameters as written: name, default (source text) and meaning (the
    comment after the assignment)."""
    import papermill

    declared_parameters(nb)  # refuses a notebook without exactly one parameters cell
    return [
        {"name": n, "default": " ".join(str(p["default"]).split()), "help": p.get("help") or ""}
        for n, p in papermill.inspect_notebook(str(nb)).items()
    ]


def resolve_parameters(
    notebooks: list[Path], yaml_file: Path | None = None, overrides: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Parameters per notebook stem: overrides from the YAML file and ``-p``, each checked against
    the notebook's declared parameters. YAML layout: ``{all: {...}, "01": {...}, 01_stem: {...}}``.
    A name given for all notebooks must be declared by at least one selected notebook."""
    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    chosen: dict[str, dict[str, Any]] = {nb.stem: {} for nb in notebooks}
    entries: list[tuple[str | None, str, Any, str]] = []
    if yaml_file:
        data = yaml.safe_load(Path(yaml_file).read_text()) or {}
        for key, params in data.items():
            scope = None if str(key) == "all" else str(key)
            for name, v in (params or {}).items():
                entries.append((scope, name, _plain(v), f"{yaml_file}: {key}.{name}"))
    for scope, name, v in parse_overrides(overrides or []):
        entries.append((scope, name, v, f"-p {scope + '.' if scope else ''}{name}"))
    for scope, name, value, origin in entries:
        targets = [
            nb.stem for nb in notebooks if scope is None or nb.stem == scope or nb.name[:2] == scope
        ]
        if scope is not None and not targets:
            raise ParameterError(f"{origin}: no selected notebook matches {scope!r}")
        hits = [t for t in targets if name in declared[t]]
        if scope is not None and not hits:
            raise ParameterError(
                f"{origin}: notebook {targets[0]} declares no parameter {name!r}{_did_you_mean(name, declared[targets[0]])} (it declares: {', '.join(declared[targets[0]]) or 'none'})"
            )
        if not hits:
            known = sorted({n for t in targets for n in declared[t]})
            raise ParameterError(
                f"{origin}: no selected notebook declares a parameter {name!r}{_did_you_mean(name, known)} (see: crm-research list)"
            )
        for t in hits:
            chosen[t][name] = value
    return chosen
