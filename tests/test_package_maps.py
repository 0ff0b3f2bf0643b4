"""Every package's `__init__` docstring is its map: it names each of its modules and
subpackages (as `name.py`, `` `name` `` or `name/`), and every `name.py` it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("bot", "courtesy", "kernel", "storage")


def packages() -> list[Path]:
    found = [p.parent for top in TOP for p in (ROOT / top).rglob("__init__.py")]
    return sorted(found)


def parts(package: Path) -> list[str]:
    """The package's modules (`__init__` and `__main__` aside) and subpackages."""
    modules = [p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")]
    subpackages = [p.parent.name for p in package.glob("*/__init__.py")]
    return sorted(modules + subpackages)


def docstring(package: Path) -> str:
    return ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""


@pytest.mark.parametrize("package", packages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_packages_map_names_each_of_its_modules_and_only_modules_that_exist(
    package: Path,
) -> None:
    text = docstring(package)
    unnamed = [
        name
        for name in parts(package)
        if not re.search(rf"(?<![\w/.`]){name}(\.py\b|/|(?=`))|`{name}`", text)
    ]
    named = set(re.findall(r"(?<![\w/.])([a-z_][a-z0-9_]*)\.py\b", text))
    assert unnamed == [], f"{package.relative_to(ROOT)}/__init__.py does not name {unnamed}"
    missing = named - {p.stem for p in package.glob("*.py")}
    assert not missing, f"{package.relative_to(ROOT)}/__init__.py names no such module {missing}"


def test_the_check_sees_every_package() -> None:
    checked = {p.relative_to(ROOT).as_posix() for p in packages()}
    assert {"bot", "bot/edge", "bot/handlers", "bot/delivery", "storage/queries/outbox"} <= checked
