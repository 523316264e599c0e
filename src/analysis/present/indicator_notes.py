"""Page 05's table of how each tracked plan indicator is computed, for people (说明 / 计算方式; moved
from :mod:`analysis.services.indicators`, which keeps the developer columns, issue 23).

Reader texts come from ``catalogue/notes.yaml`` through :func:`analysis.notes.reader_texts`.
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue
from ..notes import Note, reader_texts
from ..services.indicators import COMPUTED, DEFAULT_TRACKED, NO_MODEL, NOT_COMPUTED_HOW, Tracked, way_text


def _reader_note(record: Note) -> str:
    """A note's reader text: Chinese, then the short English gloss after " · " where there is one."""
    _, _, zh, en = reader_texts(record)
    return f"{zh} · {en}" if en else zh


def tracker_notes(tracker: pd.DataFrame, tracked: dict[str, Tracked] | None = None) -> pd.DataFrame:
    """One row per tracked plan indicator for readers (page 05): ``indicator_id, indicator_zh,
    computed_from, note``. ``computed_from`` is the way used, written with the catalogue's Chinese names
    ("1000 × 养老床位存量（县级为估算） ÷ 60岁及以上人口"), or 未计算; ``note`` is the Chinese reader
    text of the indicator's note (``catalogue/notes.yaml``) with its short English gloss. The
    tracker's own ``computed_from`` and ``note`` columns keep the developer wording (ids, English).
    """
    tracked = DEFAULT_TRACKED if tracked is None else tracked
    rows = tracker[tracker["indicator_id"].isin(list(tracked))]
    firsts = rows.sort_values("computed_from", ascending=False, kind="stable").drop_duplicates("indicator_id")
    order = {i: k for k, i in enumerate(tracked)}
    firsts = firsts.assign(_o=firsts["indicator_id"].map(order)).sort_values("_o")

    def how(indicator_id: str, used: str) -> str:
        for way in tracked[indicator_id].ways:
            if used and way_text(*way) == used:
                return way_text(*way, name=lambda i: catalogue.label(i) if catalogue.known(i) else i)
        return _reader_note(NOT_COMPUTED_HOW)

    def why(indicator_id: str, used: str) -> str:
        return _reader_note(tracked[indicator_id].note or (COMPUTED if used else NO_MODEL))

    pairs = list(zip(firsts["indicator_id"], firsts["computed_from"]))
    return pd.DataFrame(
        {
            "indicator_id": [i for i, _ in pairs],
            "indicator_zh": firsts["indicator_zh"].tolist(),
            "computed_from": [how(i, u) for i, u in pairs],
            "note": [why(i, u) for i, u in pairs],
        }
    )
