"""`buyer-agent prune` and the scheduler's weekly prune: evidence files, traces, events and runs of settled
requests older than `storage.keep_days` (or `--older-than`), then the evidence folder down to
`storage.evidence_max_mb`, oldest files first, then VACUUM. Never anything of an open request.

Which rows may go is agent.store.retention (the one path allowed to delete events); this module adds the
files: those the removed events name, the folders of removed runs (screenshots, snapshots, traces), and,
over the size cap, the oldest files no open request needs. A file outside the evidence folder is never
touched, whatever an event names. What was removed is recorded as a `pruned` event of a `prune` run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path

from pydantic import BaseModel

from agent.config import Config
from agent.store import Store, utcnow
from agent.store.retention import RowPlan, delete_rows, plan_rows, vacuum

__all__ = ["PruneResult", "prune", "scheduled_prune"]

logger = logging.getLogger(__name__)
MB = 1024 * 1024


class PruneResult(BaseModel):
    """What a prune removed (or, dry, would remove)."""

    dry_run: bool
    cutoff: dt.datetime
    requests: list[str]  # settled requests whose timeline went
    events: int
    runs: int
    selector_hits: int
    files: int
    bytes: int
    over_cap_files: int  # of `files`, removed to get under evidence_max_mb
    evidence_bytes_after: int

    def line(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        return (
            f"{verb} {self.events} event(s) ({len(self.requests)} settled request(s)), {self.runs} run(s), "
            f"{self.selector_hits} selector hit(s), {self.files} file(s) ({self.bytes / MB:.1f} MB, "
            f"{self.over_cap_files} for the size cap) from before {self.cutoff:%Y-%m-%d}; "
            f"evidence {'would be' if self.dry_run else 'is'} {self.evidence_bytes_after / MB:.1f} MB"
        )


def prune(
    config: Config, store: Store, *, older_than_days: int | None = None, dry_run: bool = False,
    now: dt.datetime | None = None,
) -> PruneResult:  # fmt: skip
    days = older_than_days if older_than_days is not None else config.storage.keep_days
    cutoff = (now or store.clock()) - dt.timedelta(days=days)
    plan = plan_rows(store, cutoff)
    root = config.storage.evidence_dir
    files = _files(root)
    protected = plan.open_evidence | {str(f) for run in plan.protected_runs for f in _files(root / str(run))}
    doomed = _by_age(root, plan, files, protected)
    over_cap = _over_cap(files, doomed, protected, config.storage.evidence_max_mb * MB)
    gone = doomed + over_cap
    size = sum(files[f] for f in gone)
    result = PruneResult(
        dry_run=dry_run, cutoff=cutoff, requests=plan.orders, events=len(plan.event_ids),
        runs=len(plan.run_ids), selector_hits=plan.selector_hits, files=len(gone), bytes=size,
        over_cap_files=len(over_cap), evidence_bytes_after=sum(files.values()) - size,
    )  # fmt: skip
    if not dry_run:
        _remove(root, gone, plan.run_ids)
        delete_rows(store, plan)
        run_id = store.start_run("prune")
        store.add_event("pruned", run_id=run_id, detail=result.model_dump(mode="json", exclude={"dry_run"}))
        store.end_run(run_id, "ok")
        vacuum(store)
    return result


def _files(folder: Path) -> dict[str, int]:
    """{path: size} of every file under `folder` (absolute paths, as events name them)."""
    if not folder.is_dir():
        return {}
    return {str(p): p.stat().st_size for p in sorted(folder.resolve().rglob("*")) if p.is_file()}


def _by_age(root: Path, plan: RowPlan, files: dict[str, int], protected: set[str]) -> list[str]:
    """Files the removed events name and those in removed runs' folders, unless something kept needs them."""
    wanted = set(plan.dropped_evidence)
    for run in plan.run_ids:
        wanted.update(_files(root / str(run)))
    keep = protected | plan.kept_evidence
    return sorted(f for f in wanted if f in files and f not in keep)


def _over_cap(files: dict[str, int], doomed: list[str], protected: set[str], cap: int) -> list[str]:
    """Oldest files first (by modification time) until the folder is under `cap` bytes (0: no cap)."""
    if cap <= 0:
        return []
    total = sum(files.values()) - sum(files[f] for f in doomed)
    gone = set(doomed)
    out: list[str] = []
    for path in sorted((f for f in files if f not in gone and f not in protected), key=_mtime):
        if total <= cap:
            break
        out.append(path)
        total -= files[path]
    return out


def _mtime(path: str) -> tuple[float, str]:
    try:
        return Path(path).stat().st_mtime, path
    except OSError:
        return 0.0, path


def _remove(root: Path, paths: list[str], run_ids: list[int]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
    for folder in [root / str(run) for run in run_ids] + sorted({Path(p).parent for p in paths}):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: a kept file keeps its folder


def scheduled_prune(config: Config) -> None:
    """The scheduler's weekly job: prune under the sweep lock (waiting for a running sweep); never raises."""
    from jobs.lock import sweep_lock

    database = config.storage.database
    try:
        with sweep_lock(database, "prune", wait=True), Store.open(database) as store:
            logger.warning("prune: %s", prune(config, store, now=utcnow()).line())
    except Exception as exc:  # noqa: BLE001 - a failed prune must not stop the scheduler
        logger.error("scheduled prune failed: %s", exc)
