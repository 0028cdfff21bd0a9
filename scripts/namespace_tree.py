"""Lay out the ``ai_missions`` namespace as symlinks under ``.typecheck/`` so mypy sees the installed names.

mypy cannot follow setuptools' ``package-dir`` mapping of an editable install; this mirrors the mapping from
``pyproject.toml`` with symlinks (no copies), so ``mypy`` checks the same module names users import.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".typecheck"


def main() -> None:
    mapping: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(TREE, ignore_errors=True)
    for package, folder in sorted(mapping.items()):
        target = TREE.joinpath(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for source in (ROOT / folder).glob("*.py*"):
            (target / source.name).symlink_to(source)
        for sub in (ROOT / folder).iterdir():
            if sub.is_dir() and (sub / "__init__.py").exists() and f"{package}.{sub.name}" not in mapping:
                (target / sub.name).symlink_to(sub, target_is_directory=True)


if __name__ == "__main__":
    main()
