"""The evaluation a build keeps (``.cache/evaluation-<key>.pkl``, :func:`zzeval.build.plan.evaluation_path`),
and whether a later build may use it: beside it ``evaluation-<key>.json`` holds the data hash it
was computed from and the file's own hash, both checked before it is read (a file replaced or
truncated is computed again, never published or a traceback: hostile review 9B, F4 and F7).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zzeval.build.plan import BuildContext


def _evaluation_data_path(path: Path) -> Path:
    """The file beside a kept evaluation naming the data hash it was computed from."""
    return path.with_suffix(".json")


def cached_evaluation(ctx: BuildContext, path: Path):
    """The evaluation kept at ``path`` when it is the one this build would compute, else None
    (computed again, with a notice on the terminal and in the build log): not with ``--force``;
    not when the data hash kept beside it (:func:`zzeval.assess.evaluate.data_hash`) is not
    ``ctx.data_sha256`` (an evaluation of other data kept under this folder digest would be
    published with this data's fingerprint; hostile review 8, B8); not when the file's own hash
    is not the one written beside it, or the file cannot be read, or the data hash inside it is
    not ``ctx.data_sha256`` (a file replaced by another season's evaluation, or truncated by an
    interrupted copy: hostile review 9B, F4 and F7)."""
    import json
    import pickle

    from zzeval.build.hashing import sha256_bytes

    if not path.is_file():
        return None
    try:
        kept = json.loads(_evaluation_data_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = None
    kept = kept if isinstance(kept, dict) else {}
    evaluation, why = None, None
    if ctx.options.force:
        why = "--force"
    elif kept.get("data_sha256") != ctx.data_sha256:
        why = "computed from other data"
    else:
        try:
            data = path.read_bytes()
            if sha256_bytes(data) != kept.get("sha256"):
                why = "the file is not the one written (damaged or replaced)"
            else:
                evaluation = pickle.loads(data)
                inside = getattr(evaluation, "provenance", {}).get("data_sha256", ctx.data_sha256)
                if inside != ctx.data_sha256:
                    evaluation, why = None, "it holds the evaluation of other data"
        except Exception as exc:  # noqa: BLE001 - unreadable: an unpickling error of any kind
            evaluation, why = None, f"unreadable ({type(exc).__name__})"
    if evaluation is None and not ctx.options.dry_run:
        if why != "--force" and not ctx.options.quiet:
            print(f"The kept evaluation {path.name} is not used: {why}; evaluating again", flush=True)
        ctx.log.write("evaluation_discarded", path=str(path), reason=why, data_sha256=kept.get("data_sha256"))
    return evaluation


def keep_evaluation(ctx: BuildContext, path: Path, evaluation) -> None:
    """Write the evaluation, and beside it the data hash it was computed from and the file's own
    hash (:func:`cached_evaluation` checks both); those of other inputs removed."""
    import json
    import pickle

    from zzeval.atomic import atomic_write_bytes
    from zzeval.build.hashing import sha256_bytes

    data = pickle.dumps(evaluation, protocol=pickle.HIGHEST_PROTOCOL)
    atomic_write_bytes(path, data)
    atomic_write_bytes(_evaluation_data_path(path),
                       json.dumps({"data_sha256": ctx.data_sha256, "sha256": sha256_bytes(data)}).encode())
    for old in path.parent.glob("evaluation-*.*"):
        if old.suffix in (".pkl", ".json") and old not in (path, _evaluation_data_path(path)):
            old.unlink(missing_ok=True)
