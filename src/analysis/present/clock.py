"""Times as readers see them: a stored UTC timestamp printed in Beijing time (UTC+8).

Pure and light (the standard library only): the runner's manifest re-exports :func:`beijing_time`
(:mod:`analysis.run.manifest`, imported before the workers fork), the pages and the runs index print
with it. Stored times stay UTC (:func:`analysis.run.manifest.utc_now`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def beijing_time(iso: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM 北京时间' (UTC+8); the text itself if unreadable."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") + " 北京时间"
