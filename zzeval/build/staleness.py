"""Staleness: which reports of a build are out of date, and why.

:func:`plan_reports` keys every report on the slice of the evaluation its notebook reads
(:class:`~zzeval.assess.evaluate.ReportSource`), the notebook, the code and its parameters, and
names what changed since the report was last built. Each stale report's slice is saved as it is
keyed, one at a time; the part every township page shows of every township is saved once
(:mod:`zzeval.assess.slices`). A ``--township`` build also keys the reports it does not build,
so that the index can say which of the pages it links show data that has since changed.
"""

from __future__ import annotations

from pathlib import Path

from zzeval.build import hashing
from zzeval.build.plan import COUNTY, BuildContext, PlannedReport


def results_path(ctx: BuildContext, slug: str) -> Path:
    """Where a report's slice of the evaluation is saved for its notebook's ``results_path``."""
    return ctx.season_dir / ".cache" / "results" / f"{ctx.name(slug) if slug == COUNTY else slug}.pkl"


def plan_reports(ctx: BuildContext, evaluation) -> list[PlannedReport]:
    """Every report of this build (the selected townships, else all and the county), keyed on
    what its notebook reads; ``reason`` says why it must be rebuilt, None when it is up to date.

    One slice at a time: each is keyed and, when stale (and not a dry run), saved where its
    notebook reads it (:func:`results_path`), then dropped, so that the planning of a province
    holds one township's slice, not a thousand. What every township page shows of every township
    (ranked indicators, names, weather skill) is taken, digested and saved once (:class:`_Shared`):
    a township's key and file cost its own rows, so planning grows with the number of townships,
    not with its square.

    With ``--township``, the other reports are keyed too (``selected`` False; never saved, never
    built): the index then marks a page whose data changed since it was built as out of date
    instead of "unchanged" (hostile review 6)."""
    from zzeval.assess.evaluate import current_commit

    inputs = ctx.inputs
    # the data hash is stamped on unchanged pages (zzeval.build.publish); the commit a page shows
    # names the code that built it (code changes are in the key through inputs.code)
    masked = (ctx.data_sha256, current_commit())
    every = [str(s) for s in ctx.season.slugs] + ([COUNTY] if inputs.county_nb is not None else [])
    chosen = inputs.selection or every
    wanted = set(chosen)
    shared = _Shared(ctx, evaluation, masked)
    planned = []
    for slug in [*chosen, *(s for s in every if s not in wanted)]:
        selected = slug in wanted
        if not selected and not ctx.state["reports"].get(slug, {}).get("html"):
            continue  # never built: nothing on the index to mark
        is_county = slug == COUNTY
        source, digests = (evaluation.county_slice(), None) if is_county else shared.township(slug)
        components = {
            "slice": digests or hashing.field_digests(source, masked=masked),
            "notebook": inputs.notebooks["county" if is_county else "township"], "code": inputs.code,
            "params": {**inputs.report_params, **({} if is_county else {"township": slug})}}
        key = hashing.sha256_json(components)
        prev = ctx.state["reports"].get(slug, {})
        reason = _reason(components, prev, ctx.options.force and selected, ctx.season_dir)
        if reason is None and prev.get("key") != key:
            reason = "build key changed"
        results = None
        if reason and selected and not ctx.options.dry_run:
            if not is_county:
                shared.save()
            results = source.save(results_path(ctx, slug))
        planned.append(PlannedReport(slug, key, components, reason, results, selected))
        del source
    return planned


class _Shared:
    """The part of the township slices every township page shows of every township (the ranked
    indicators, names, weather skill: :meth:`~zzeval.assess.evaluate.Evaluation.shared_part`),
    taken and digested once per build and saved once beside the township parts; each township's
    part then costs what its own rows cost, not the province's. A stand-in
    :class:`~zzeval.assess.evaluate.ReportSource` without ``township_part`` is sliced whole."""

    def __init__(self, ctx: BuildContext, evaluation, masked: tuple[str, ...]):
        self.ctx, self.evaluation, self.masked, self.saved = ctx, evaluation, masked, False
        self.part = evaluation.shared_part() if hasattr(evaluation, "township_part") else None
        if self.part is not None:
            from zzeval.assess.slices import SHARED_PREFIX, shared_file

            self.prefix = SHARED_PREFIX
            self.digests = {name: hashing.content_digest(frame, masked) for name, frame in self.part.tables.items()}
            self.file = shared_file(hashing.sha256_json(self.digests))

    def township(self, slug: str) -> tuple[object, dict | None]:
        """A township's part (or its whole slice) and its key's digests of the slice, field by
        field: a shared table's digest covers its own rows and the shared part of it."""
        if self.part is None:
            return self.evaluation.township_slice(slug), None
        source = self.evaluation.township_part(slug, self.file)
        digests = hashing.field_digests(source, masked=self.masked)
        for name, digest in self.digests.items():
            digests[name] = hashing.sha256_json([digests[name], digest])
        return source, digests

    def save(self) -> None:
        """The shared part written once (where :func:`results_path` puts the township parts),
        those of earlier builds removed (this build holds the folder's lock)."""
        if self.part is None or self.saved:
            return
        import pickle

        from zzeval.atomic import atomic_write_bytes

        folder = results_path(self.ctx, "").parent
        atomic_write_bytes(folder / self.file, pickle.dumps(self.part, protocol=pickle.HIGHEST_PROTOCOL))
        for old in folder.glob(f"{self.prefix}*.pkl"):
            if old.name != self.file:
                old.unlink(missing_ok=True)
        self.saved = True


def _changed(old: dict, new: dict) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def outside_status(item: PlannedReport, prev: dict) -> str:
    """How the index marks a page outside ``--township`` that is out of date (``index.status.<kind>``):
    ``outdated`` when its data changed since it was built; ``other_lang`` when its data did not change
    but it was built in another language; ``other_build`` when only the code, the notebook or another
    parameter changed (hostile review 8B, B2: all were said to show changed data)."""
    old = prev.get("components") or {}
    if _changed(old.get("slice") or {}, item.components["slice"]):
        return "outdated"
    if (old.get("params") or {}).get("lang") != item.components["params"].get("lang"):
        return "other_lang"
    return "other_build"


def _reason(comp: dict, prev: dict, force: bool, season_dir: Path) -> str | None:
    """Why a report must be rebuilt, or None when it is up to date."""
    if force:
        return "--force"
    if not prev:
        return "not built before"
    if prev.get("status") != "built":
        return "the previous build of this report failed"
    if not prev.get("html") or not (season_dir / prev["html"]).is_file():
        return "the report file is missing"
    if prev.get("html_sha256") and hashing.file_sha256(season_dir / prev["html"]) != prev["html_sha256"]:
        return "the report file is not the page the last build wrote (cut or edited since?)"  # s14-C, N02
    old = prev.get("components") or {}
    reasons = []
    if old.get("notebook") != comp["notebook"]:
        reasons.append("notebook changed")
    if old.get("code") != comp["code"]:
        reasons.append("package code or library versions changed")
    if params := _changed(old.get("params") or {}, comp["params"]):
        reasons.append(f"parameters changed ({', '.join(params)})")
    if parts := _changed(old.get("slice") or {}, comp["slice"]):
        reasons.append(f"its data changed ({', '.join(parts)})")
    return "; ".join(reasons) or None
