"""Configuration files: :func:`read_config` reads a YAML config (``parameters``,
``notebooks``) and resolves its paths against the file's folder.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import FileFormatError, show_values

__all__ = ["read_config"]


def read_config(path: str | os.PathLike) -> dict:
    """Read a YAML run configuration, resolving ``*_path`` and ``*_dir`` values.

    Every value whose key ends in ``_path`` or ``_dir`` (at any depth, strings or
    lists of strings) is made relative to the config file's folder, unless it is
    already absolute.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.yaml").write_text(
    ...     "title: Demo\\nparameters:\\n  responses_path: data/r.csv\\n", encoding="utf-8")
    >>> config = read_config(folder / "run.yaml")
    >>> config["parameters"]["responses_path"] == str(folder / "data" / "r.csv")
    True
    """
    path = Path(path).expanduser()
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "was not found"
        raise FileFormatError(f"Config file {path} {what}; give the path of a .yaml file.")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"Config file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8."
        ) from exc
    except yaml.YAMLError as exc:
        raise FileFormatError(_yaml_message(path, exc)) from exc
    if not isinstance(config, dict):
        raise FileFormatError(
            f"Config file {path} should hold a mapping such as 'title: ...' and "
            f"'parameters: ...'; found {type(config).__name__} {show_values([config], 1)}."
        )
    return _resolve_paths(config, path.parent)


def _yaml_message(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return (f"Config file {path} is not valid YAML{where}: {problem}. Check the indentation "
            "and that values containing ':' or '#' are quoted.")


def _resolve_paths(value: Any, base: Path, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _resolve_paths(v, base, str(k)) for k, v in value.items()}
    is_path = key.endswith(("_path", "_dir"))
    if isinstance(value, list):
        return [_resolve_paths(v, base, key if is_path else "") for v in value]
    if is_path and isinstance(value, (str, os.PathLike)) and str(value):
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else Path(os.path.normpath(base.resolve() / path)))
    return value
