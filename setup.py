"""Builds the compiled translations (.mo) into wheels and sdist installs.

Everything else about the package is in pyproject.toml. The .mo files are generated, not
committed: `make` compiles them in the source tree for development, and this build_py
step compiles each caseload.po it copies into the build, so an installed package reads the
.mo. (Should neither have run, caseload.i18n reads the .po with Babel at run time.)
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithTranslations(build_py):
    def run(self) -> None:
        super().run()
        locale = Path(self.build_lib) / "caseload" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parts[-3], domain=po.stem)
            with po.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildPyWithTranslations})
