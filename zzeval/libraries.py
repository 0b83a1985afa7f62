"""The third-party libraries whose versions change what zzeval computes or shows, and their
installed versions: part of every key that decides whether a kept result is still right (the
build's, :func:`zzeval.build.hashing.code_digest`; a township's cached evaluation,
:func:`zzeval.assess.tasks.code_digest`). An upgraded library makes them stale, as changed code
does: scikit-learn (the gbm weather model) was missing, and a build after its upgrade answered
"up to date" with the numbers of the old version (hostile review 9B, F5).

Light on purpose: a rebuild with nothing to do computes the build's key without importing any
of these libraries.
"""

from __future__ import annotations

#: Libraries that compute the evaluation's numbers or read the season's values (distribution
#: names, as pip knows them).
NUMBER_DISTS = ("numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "patsy", "pyarrow", "openpyxl")

#: Libraries whose version can change what a report looks like besides its numbers.
RENDER_DISTS = ("nbconvert", "nbformat", "matplotlib", "seaborn", "jinja2", "ipykernel", "fonttools")


def versions_digest(dists: tuple[str, ...]) -> str:
    """One line per distribution, ``name==version`` (``none``: not installed), as a string to hash."""
    versions = installed_versions(dists)
    return "".join(f"{dist}=={versions.get(dist, 'none')}\n" for dist in dists)


def installed_versions(dists: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each of ``dists`` (absent: not installed), as
    :func:`importlib.metadata.version` gives it: read from the names of the ``*.dist-info``
    folders on ``sys.path`` (``<name>-<version>.dist-info``, the first on the path wins, as for
    imports), without importing ``importlib.metadata`` and its e-mail parser (a rebuild with
    nothing to do computes this). A distribution found only otherwise (an egg, a zip) is asked
    of :func:`importlib.metadata.version`."""
    import os
    import sys

    def norm(name: str) -> str:
        return name.lower().replace("-", "_").replace(".", "_")

    wanted = {norm(d): d for d in dists}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            dist, _, ver = name[: -len(".dist-info")].partition("-")
            key = wanted.get(norm(dist))
            if key is not None and ver and key not in found:
                found[key] = ver
    missing = [d for d in dists if d not in found]
    if missing:
        from importlib.metadata import PackageNotFoundError, version

        for dist in missing:
            try:
                found[dist] = version(dist)
            except PackageNotFoundError:
                pass
    return found
