"""Build hook: the wheel carries the report notebooks as package data (``zzeval/notebooks/``).

The repository keeps one copy of the notebooks, in ``notebooks/`` (the analysts' entry point);
this copies them into the wheel at build time. Editable installs read ``notebooks/`` in the
checkout directly (see ``zzeval.resources``), so nothing is copied for them. All other metadata
lives in ``pyproject.toml``.
"""

import warnings
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithNotebooks(build_py):
    """``build_py`` that also copies ``notebooks/*.ipynb`` to ``<build>/zzeval/notebooks/``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = Path(__file__).resolve().parent / "notebooks"
        notebooks = sorted(source.glob("*.ipynb"))
        if not notebooks:
            raise SystemExit(f"zzeval build: no notebooks in {source}; the wheel would not work")
        target = Path(self.build_lib) / "zzeval" / "notebooks"
        self.mkpath(str(target))
        for path in notebooks:
            self.copy_file(str(path), str(target / path.name))


# `pip install -e .` (flat layout): setuptools' editable finder maps only the `zzeval` package
# and says so with an informational "Editable installation ... be careful with folders named
# like the package" notice; there is no such folder besides zzeval/ itself, so it is not shown.
warnings.filterwarnings("ignore", message=r"\s*Editable installation")

setup(cmdclass={"build_py": BuildPyWithNotebooks})
