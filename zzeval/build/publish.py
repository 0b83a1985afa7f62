"""Publish: what a build shows, written atomically as reports finish and at its end.

* :meth:`Publisher.summary_files`, before the reports run, once the state no longer claims a
  complete build: the data hash on pages that are up to date (:func:`stamp_data_hash`);
  ``summary.json`` and ``summary.csv`` from the evaluation's summary table
  (:func:`write_summary_files`: they do not depend on the notebooks), marked incomplete; the index
  with every page this build will replace marked "being rebuilt" (so that a build stopped half-way
  leaves no index vouching for a page of other data);
* :meth:`Publisher.record`: each finished report's entry in the build state (written at once, so
  a killed build leaves a state naming what it finished), the build log and the progress line;
* :meth:`Publisher.finish`: the index (checked with :func:`check_index`; a bad index is never
  published), ``summary.json`` marked complete when every page shows this data, the final state and
  the log's last line.

The **data hash** is one value: :func:`zzeval.assess.evaluate.data_hash`, the digest of the
season's input files as loaded. Every page footer, the index, ``summary.json`` and the build state
show it. A report's key leaves it out (it would make every page stale when any township's data
changes), so a page that is up to date in a build whose data hash changed gets the new hash
written into it here: its key proves it is otherwise what a full rebuild would give.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

from zzeval.atomic import atomic_write_bytes, atomic_write_text
from zzeval.build.hashing import sha256_bytes
from zzeval.build.plan import COUNTY, SUMMARY_FILES, BuildContext, PlannedReport
from zzeval.build.records import (
    STATE_FILE,
    STATE_VERSION,
    Progress,
    ReportResult,
    now,
    published_record,
    write_state,
)
from zzeval.build.staleness import outside_status
from zzeval.build.tasks import ReportTask, failure
from zzeval.season.confirm import IN_FORCE

INDEX = "__index__"


def write_summary_files(season_dir: Path, season: str, table, county: dict | None, synthetic: bool,
                        data_sha256: str, complete: bool = True, confirmations: list | None = None) -> None:
    """``summary.json`` (the county's figures and the evaluation's summary table, one row per
    township) and ``summary.csv`` (the table). ``complete``: every report the index links shows
    this data (false while a build is publishing them, and after a build that stopped or failed).
    ``confirmations``: the judgement checks' values used as written on season.yaml's ``confirmed:``
    (check, subject, townships; :func:`zzeval.season.confirm.confirmations_in_force`), [] for none."""
    table = table.reset_index(drop=True)
    records = json.loads(table.to_json(orient="records", force_ascii=False, double_precision=10))
    doc = {"season": season, "data_sha256": data_sha256, "synthetic": bool(synthetic),
           "generated_by": "zzeval build", "complete": bool(complete), "county": county,
           "confirmations": list(confirmations or []), "townships": records}
    text = json.dumps(_no_nan(doc), ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_text(season_dir / "summary.json", text)
    atomic_write_bytes(season_dir / "summary.csv", table.to_csv(index=False).encode("utf-8-sig"))


def _no_nan(value):
    """``value`` with every NaN or infinite float as None (JSON's null): Python's json writes them
    as the bare words NaN and Infinity, which JSON does not permit (RFC 4627 § 2.4); a figure that
    could not be computed (e.g. the county's PM2.5 when its weather is only per station) is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_nan(v) for v in value]
    return value


def stamp_data_hash(season_dir: Path, entry: dict, data_sha256: str) -> bool:
    """Write ``data_sha256`` over the data hash an up-to-date page shows; True when the page changed."""
    old = entry.get("data_sha256")
    entry["data_sha256"] = data_sha256
    if not old or old == data_sha256 or not entry.get("html"):
        return False
    path = season_dir / entry["html"]
    html = path.read_text(encoding="utf-8")
    if old not in html:
        return False
    data = html.replace(old, data_sha256).encode("utf-8")
    atomic_write_bytes(path, data)
    entry["html_sha256"] = sha256_bytes(data)
    return True


def check_index(html: str, rows: list[dict], county_row: dict | None = None) -> list[str]:
    """Problems of the season's ``index.html`` (:func:`zzeval.report.htmlcheck.check_report`), plus:
    every township's name is on the page, and every report that exists is linked.

    Parameters
    ----------
    html : str
        The index page.
    rows : list of dict
        The township rows given to :func:`zzeval.report.index_page.render_index` (``name``, ``html``).
    county_row : dict, optional
        The county report's row.
    """
    from zzeval.report.htmlcheck import check_report

    problems = check_report(html, required_text=[str(r["name"]) for r in rows if r.get("name")])
    for row in [*rows, *([county_row] if county_row else [])]:
        link = row.get("html")
        if link and f'href="{escape(link)}"' not in html:
            problems.append(f"report {link} is not linked from the index")
    return problems


def warm_index(lang: str) -> None:
    """Import the index page's machinery and export a small page (written nowhere), so that
    publishing the index at the end of a build finds the exporter's modules imported and the CJK
    font parsed (:func:`zzeval.report.fonts.webfont_subset` keeps it per process). The build runs
    this in a thread while its reports are built; a failure here is met again, and reported, by
    :meth:`Publisher.finish`."""
    try:
        from zzeval.report.html_export import html_page
        from zzeval.report.htmlcheck import check_report
        from zzeval.report.index_page import render_index  # noqa: F401

        check_report(html_page(["<p>预热 warm-up 0123456789</p>"], title="warm-up", lang=lang))
    except Exception:  # noqa: BLE001
        pass


#: Where the pages of townships no longer in the season go (relative to the season's output folder).
SUPERSEDED = ".cache/superseded"


class Publisher:
    """Records the reports of one build as they finish and publishes the index at its end."""

    def __init__(self, ctx: BuildContext, planned: list[PlannedReport], progress: Progress):
        self.ctx = ctx
        self.planned = {p.slug: p for p in planned}
        self.progress = progress
        self.state_path = ctx.season_dir / STATE_FILE
        #: the reports whose (earlier) page this build will replace: marked on the index until then
        self.rebuilding: set[str] = set()
        #: their pages in the folder, the state's or found there (:meth:`_page_on_disk`)
        self.on_disk: dict[str, str] = {}
        #: the season folder's files that changed since the build read them (:meth:`season_changed`)
        self.changed: list[str] = []

    def summary_files(self, evaluation) -> None:
        """``summary.json`` and ``summary.csv`` (:func:`write_summary_files`, marked incomplete
        until :meth:`finish`), after the state has forgotten the last complete build: a build
        stopped from here on (Ctrl-C, kill, a report phase that dies) is never taken for up to date
        by the next one, which rewrites them (hostile review 6: a rebuild answered "up to date"
        beside another data's summary). Then the index marks every page this build will replace
        as being rebuilt (:meth:`mark_rebuilding`)."""
        ctx = self.ctx
        ctx.state.update(fast_key=None)
        self._stamp_up_to_date()  # their figures are this data's: said before a stop can strike
        write_state(self.state_path, ctx.state)
        self._summary(evaluation, complete=False)
        for item in ctx.season.meta.get(IN_FORCE, []):  # values used as written on the bureau's confirmation
            ctx.log.write("confirmed", **item)
        self.mark_rebuilding(evaluation)

    def _stamp_up_to_date(self) -> None:
        """The data hash of this build on the pages that are up to date (:func:`stamp_data_hash`),
        those outside a ``--township`` selection too: their figures are this data's, and the index
        and ``summary.json`` give this hash (s11 hostile review B, c06: they called such a page
        current while it showed the previous hash)."""
        ctx = self.ctx
        reports = ctx.state["reports"]
        for slug, item in self.planned.items():
            if not item.reason and slug in reports and stamp_data_hash(ctx.season_dir, reports[slug], ctx.data_sha256):
                ctx.log.write("stamp", report=slug, data_sha256=ctx.data_sha256)

    def _summary(self, evaluation, complete: bool) -> None:
        ctx = self.ctx
        write_summary_files(ctx.season_dir, ctx.options.season, evaluation.summary_table(lang=ctx.options.lang),
                            evaluation.county_summary(), ctx.season.synthetic, ctx.data_sha256, complete,
                            confirmations=ctx.season.meta.get(IN_FORCE, []))

    def mark_rebuilding(self, evaluation) -> None:
        """Before the first report of this build is published: the index rewritten with every page
        this build will replace marked "being rebuilt", so that a build stopped half-way (SIGTERM,
        a task timeout, a crash) leaves no index vouching for pages of other data beside the new
        summary and the pages already replaced (hostile review 8, B3). The pages are those in the
        folder (:meth:`_page_on_disk`), not only those the state lists: a state missing, unreadable
        or of an older version lists none, yet the old index and pages are there (hostile review
        s13-C, C19/C28). Also written when the folder holds an index the state does not vouch for
        (it lists no page). Not written when this build replaces no page, or when the index fails
        its checks (:meth:`finish` reports that)."""
        ctx = self.ctx
        self.on_disk = {slug: rel for slug, item in self.planned.items()
                        if item.reason and item.selected and (rel := self._page_on_disk(slug))}
        self.rebuilding = set(self.on_disk)
        foreign_index = not ctx.state["reports"] and (ctx.season_dir / "index.html").is_file()
        if self.rebuilding or foreign_index:
            html, rows, county_row = self._index_html(evaluation, interim=True)
            if not check_index(html, rows, county_row):
                atomic_write_text(ctx.season_dir / "index.html", html)
                ctx.log.write("index_rebuilding", reports=sorted(self.rebuilding))

    def _page_on_disk(self, slug: str) -> str | None:
        """The page of ``slug`` in the folder (relative path): the one its state entry names, else
        the one this build writes (``county.html``, ``townships/<slug>.html``); None when absent."""
        entry = self.ctx.state["reports"].get(slug) or {}
        for rel in (entry.get("html"), "county.html" if slug == COUNTY else f"townships/{slug}.html"):
            if rel and (self.ctx.season_dir / rel).is_file():
                return rel
        return None

    #: The errors a report's notebook gives when the season folder changed under it (its
    #: :func:`zzeval.assess.slices.check_same_data`, a table gone or cut by a save in progress).
    SEASON_ERRORS = ("InputError", "DataValidationError", "FileNotFoundError")

    def season_changed(self) -> list[str]:
        """The season folder's files that differ from those the build read and keyed everything on
        (``inputs.files``, :func:`zzeval.build.plan.check_folder_unchanged`), [] when none; once
        found, not digested again."""
        inputs = self.ctx.inputs
        if not self.changed and inputs.files and inputs.data_dir.is_dir():
            from zzeval.build.hashing import folder_file_digests

            now = folder_file_digests(inputs.data_dir)
            self.changed = [n for n in sorted(set(now) | set(inputs.files)) if now.get(n) != inputs.files.get(n)]
        return self.changed

    def _season_failure(self, res: dict) -> dict:
        """A report that failed because the season folder changed while the build ran (a clerk's
        save, a sync): its error says so, and to run the build again, instead of the notebook's
        advice to a papermill user (hostile review s14-C, N20). The notebook's own error is kept
        as ``cause``."""
        err = res.get("error") or {}
        if res.get("status") == "built" or err.get("ename") not in self.SEASON_ERRORS or not self.season_changed():
            return res
        said = (f"the season folder {self.ctx.inputs.data_dir} changed during the build ({self._changed_files()}): "
                "run the build "
                "again once the files are saved")
        cause = f"{err.get('ename')}: {err.get('evalue')}"
        return {**res, "error": {**err, "ename": "SeasonChanged", "evalue": said, "cause": cause}}

    def _changed_files(self) -> str:
        """The files of :meth:`season_changed` as the messages name them: the first five, then '…'."""
        return ", ".join(self.changed[:5]) + (" …" if len(self.changed) > 5 else "")

    def changed_notice(self) -> str | None:
        """After the reports: the line that says the season folder changed during the build, or None."""
        if not self.season_changed():
            return None
        return (f"zzeval build: the season folder {self.ctx.inputs.data_dir} changed during the build "
                f"({self._changed_files()}): "
                "the pages built show the data as it was when the build started; run the build again")

    def record(self, task: ReportTask, res: dict) -> None:
        """One finished report: its state entry (written now), its result, log line and progress."""
        res = self._season_failure(res)
        ctx, slug = self.ctx, task.id
        item, prev = self.planned[slug], ctx.state["reports"].get(slug, {})
        entry = {"name": ctx.name(slug), "key": item.key, "components": item.components,
                 "seconds": round(res.get("seconds", 0.0), 3),
                 "log": Path(task.ipynb_path).resolve().relative_to(ctx.season_dir).as_posix()}
        if res["status"] == "built":
            entry.update(status="built", html=task.rel_html, built_at=res.get("finished_at"),
                         html_sha256=res.get("html_sha256"), error=None, data_sha256=ctx.data_sha256)
            status = "built"
        else:
            had_good = bool(prev.get("html")) and (ctx.season_dir / prev["html"]).is_file()
            keep = {k: prev.get(k) if had_good else None for k in ("html", "built_at", "data_sha256")}
            entry.update(status="failed", error=res.get("error"), key=None, **keep)  # retried next time
            status = "stale" if had_good else "failed"
        ctx.state["reports"][slug] = entry
        ctx.state.update(fast_key=None, lang=ctx.inputs.options.lang)
        write_state(self.state_path, ctx.state)
        result = ReportResult(slug=slug, name=entry["name"], status=status, reason=item.reason or "",
                              seconds=res.get("seconds", 0.0), error=res.get("error"),
                              html=entry.get("html"), built_at=entry.get("built_at"),
                              current=status == "stale" and entry.get("data_sha256") == ctx.data_sha256)
        ctx.summary.reports.append(result)
        ctx.log.write("report", report=slug, status=status, reason=item.reason,
                      **{k: round(res.get(k, 0.0), 3) for k in ("seconds", "kernel_start_s", "execute_s", "export_s")},
                      kernel_reused=res.get("kernel_reused"), html_bytes=res.get("html_bytes"),
                      host=res.get("host"), error=res.get("error"))
        self.progress.update(result)

    def finish(self, evaluation, fast_key: str) -> None:
        """Publish the index, mark ``summary.json`` complete when every page shows this data,
        write the final state."""
        ctx = self.ctx
        reports = ctx.state["reports"]
        self._retire_gone()
        self.rebuilding = set()
        index_ok = self._publish_index(evaluation)
        ctx.summary.seconds = _elapsed(ctx)
        complete = (index_ok and not ctx.inputs.selection
                    and all(e.get("status") == "built" for e in reports.values())
                    and all(s in reports for s in ctx.names))
        if index_ok and all(s in reports for s in ctx.names) and all(
                e.get("status") == "built" and e.get("data_sha256") == ctx.data_sha256 for e in reports.values()):
            self._summary(evaluation, complete=True)  # every page shows this data (a --township build too)
        ctx.state.update(version=STATE_VERSION, fast_key=fast_key if complete else None,
                         published=published_record(ctx.season_dir), kernel=ctx.kernel.name, last_build=ctx.build_id, last_build_at=now(),
                         data_sha256=ctx.data_sha256, lang=ctx.inputs.options.lang)
        write_state(self.state_path, ctx.state)
        ctx.log.write("build_end", seconds=round(ctx.summary.seconds, 3), built=ctx.summary.built,
                      failed=ctx.summary.failed, up_to_date=len(ctx.summary.up_to_date), ok=ctx.summary.ok)

    def _retire_gone(self) -> None:
        """Pages of townships no longer in the season (a slug renamed or a township removed) move to
        ``.cache/superseded/`` and leave the state: they showed another data's numbers under the old
        name, and the state kept claiming them built (hostile review 6, finding 11)."""
        ctx = self.ctx
        reports = ctx.state["reports"]
        gone = sorted(slug for slug in reports if slug != COUNTY and slug not in ctx.names)
        for slug in gone:
            entry = reports.pop(slug)
            for rel in (entry.get("html"), entry.get("log")):
                source = ctx.season_dir / rel if rel else None
                if source is not None and source.is_file():
                    target = ctx.season_dir / SUPERSEDED / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source.replace(target)
            ctx.log.write("superseded", report=slug, moved_to=SUPERSEDED)
        if gone:
            write_state(self.state_path, ctx.state)
            self.progress.info(f"{len(gone)} report(s) of townships no longer in the season ({', '.join(gone[:5])}"
                               f"{' …' if len(gone) > 5 else ''}) moved to {SUPERSEDED}/")

    def _publish_index(self, evaluation) -> bool:
        ctx = self.ctx
        html, rows, county_row = self._index_html(evaluation)
        problems = check_index(html, rows, county_row)
        if not problems:
            atomic_write_text(ctx.season_dir / "index.html", html)
            return True
        # never publish a bad index: keep the previous one, keep the bad one beside the logs, fail
        atomic_write_text(ctx.season_dir / ".cache" / "index.failed.html", html)
        error = failure("ReportCheckError", "; ".join(problems))
        ctx.summary.reports.append(ReportResult(slug=INDEX, name="index", status="failed",
                                                reason="index page", error=error))
        ctx.log.write("report", report=INDEX, status="failed", error=error)
        return False

    def _index_html(self, evaluation, interim: bool = False) -> tuple[str, list[dict], dict | None]:
        """The index page of the reports as they stand, its township rows and its county row
        (``interim``: without the township map, whose drawing would delay the reports)."""
        from zzeval.report.index_page import render_index

        ctx = self.ctx
        table = evaluation.summary_table(lang=ctx.options.lang)
        shown = "verdict_display" if "verdict_display" in table.columns else "verdict_label"  # with the validity flag
        verdicts = {str(r["township"]): (r.get("verdict"), r.get(shown)) for r in table.to_dict(orient="records")}
        rows = [self._index_row(slug, verdicts.get(slug, (None, None))) for slug in ctx.names]
        reports = ctx.state["reports"]
        county_row = self._index_row(COUNTY, (None, None)) if COUNTY in reports or COUNTY in self.rebuilding else None
        summary_files = [f for f in SUMMARY_FILES if (ctx.season_dir / f).is_file()]
        html = render_index(rows, {"season": ctx.options.season, "built_at": now(),
                                   "data_dir": str(ctx.inputs.data_dir), "data_digest": ctx.data_sha256,
                                   "synthetic": ctx.season.synthetic, "county": county_row,
                                   "summary_files": summary_files, "summary": table, "map": not interim},
                           ctx.options.lang)
        return html, rows, county_row

    def _index_row(self, slug: str, verdict: tuple) -> dict:
        ctx = self.ctx
        entry = ctx.state["reports"].get(slug) or {}
        this = next((r for r in ctx.summary.reports if r.slug == slug), None)
        item = self.planned.get(slug)
        if this is not None:
            status = this.status
        elif slug in self.rebuilding:
            status = "rebuilding"  # this build replaces it (:meth:`mark_rebuilding`)
        elif item is not None and not item.selected and item.reason and entry.get("html"):
            status = outside_status(item, entry)  # outside --township: its data, language or code changed
        elif entry:
            status = "up_to_date" if entry.get("status") == "built" else ("stale" if entry.get("html") else "failed")
        else:
            status = "not_built"
        if status == "stale" and entry.get("data_sha256") and entry["data_sha256"] == ctx.data_sha256:
            status = "stale_current"  # the kept page shows this data: not "expired" (hostile review s12-B, 6)
        html = entry.get("html") or (self.on_disk.get(slug) if status == "rebuilding" else None)
        if html and not (ctx.season_dir / html).is_file():
            html = None
        return {"slug": slug, "name": ctx.name(slug), "verdict": verdict[0], "verdict_label": verdict[1],
                "status": status, "html": html, "log": entry.get("log"), "built_at": entry.get("built_at"),
                "error": entry.get("error")}


def _elapsed(ctx: BuildContext) -> float:
    import time

    return time.monotonic() - ctx.started
