"""The index's plan section: the tracked plan's targets with the odds of meeting them, per unit,
and one line on the close-out of the plan that ended (from ``manifest.json``'s ``plan`` and
``key_results.odds`` / ``key_results.ledger``; :mod:`analysis.run.tables`).

Every string is escaped; a draft plan is marked 草案 in the heading and in every column head.
"""

from __future__ import annotations

import html
from typing import Any

from .. import catalogue, geography
from .labels import comparator_label

LEDGER_PAGE = "quanzhou/92_plan_ledger.html"


def _pct(p) -> str:
    return "—" if p is None else f"{100 * float(p):.0f}%"


def _odds_colour(p) -> str:
    """A probability's cell colour: it describes odds, not performance, so it is a neutral scale."""
    if p is None:
        return ""
    shade = int(235 - 120 * float(p))
    return f' style="background:rgb({shade},{shade + 10 if shade < 245 else 245},255)"'


def target_head(row: dict[str, Any], draft: bool) -> str:
    """One column head: the indicator's name, the target with its comparator and year, 草案 if a draft."""
    esc = html.escape
    spec = catalogue.indicator(row["indicator"]) if catalogue.known(row["indicator"]) else None
    value = spec.format_value(row["target"]) if spec else f"{row['target']}"
    mark = ' <span class="draft">草案</span>' if draft else ""
    return (
        f"<th>{esc(row['indicator_zh'])}{mark}<br><small>{esc(comparator_label(row['comparator']))}"
        f"{esc(value)}（{esc(str(row['year']))}年）</small></th>"
    )


def render_plan_odds(manifest: dict[str, Any]) -> str:
    """The tracked plan's targets × units: probability of meeting each and the yearly action at 80 %."""
    plan = manifest.get("plan") or {}
    odds = (manifest.get("key_results") or {}).get("odds") or []
    if not plan or not odds:
        return ""
    esc = html.escape
    draft = plan.get("status") == "draft"
    targets = list(dict.fromkeys((r["indicator"], r["year"]) for r in odds))
    first = {key: next(r for r in odds if (r["indicator"], r["year"]) == key) for key in targets}
    order = {u: i for i, u in enumerate(["quanzhou"] + geography.county_ids())}  # the city, then the plan's order
    units = list(dict.fromkeys((r["unit_id"], r["unit_name"]) for r in odds))
    units.sort(key=lambda u: order.get(u[0], len(order)))
    by_key = {(r["unit_id"], r["indicator"], r["year"]): r for r in odds}
    body = []
    for uid, name in units:
        cells = []
        for ind, year in targets:
            r = by_key.get((uid, ind, year))
            if r is None:
                cells.append("<td></td>")
                continue
            spec = catalogue.indicator(ind) if catalogue.known(ind) else None
            value = spec.format_value(r["value_p50"], with_unit=False) if spec else ""
            action = (
                ""
                if not r.get("action_value")
                else f"<br><small>{esc(r['action'])} {r['action_value']:,.0f} {esc(r['action_unit'])}</small>"
            )
            cells.append(
                f'<td class="num"{_odds_colour(r["p_meet"])}><b>{esc(_pct(r["p_meet"]))}</b>'
                f"<br><small>预测 {esc(value)}</small>{action}</td>"
            )
        page = (manifest.get("onepagers") or {}).get(uid)  # the unit's name links to its one-pager
        head = f'<a href="{esc(page)}" title="一页表 one-pager">{esc(name)}</a>' if page else esc(name)
        body.append("<tr" + (' class="city"' if uid == "quanzhou" else "") + f"><th>{head}</th>{''.join(cells)}</tr>")
    heads = "".join(target_head(first[k], draft) for k in targets)
    title = esc(str(plan.get("name_zh", plan.get("id", ""))))
    note = (
        (
            '<p class="draft"><b>草案 DRAFT：</b>目标为起草参考（承接国家十五五目标、延续十四五比例），'
            "不是已通过的规划目标。 Draft targets for the drafters, not adopted targets.</p>"
        )
        if draft
        else ""
    )
    return (
        f"<h2>{title}：{esc(str((plan.get('period') or ['', ''])[1]))}年目标的达成概率 "
        "<small>Odds of meeting each target</small></h2>"
        + note
        + "<p><small>每格：按本情景抽样计算的达成概率（粗体）；预测中位数；按80%把握达标每年需新增的数量。"
        "概率由人口抽样（基期、生育、死亡、迁移）与存量增长的不确定性得出，依据见“规划达成概率”页。"
        " Each cell: the probability of meeting the target under the run's scenario (bold), the median "
        "forecast, and what would have to be added each year to meet it with 80 % confidence.</small></p>"
        f'<div class="scroll"><table><tr><th>单位 Unit</th>{heads}</tr>{"".join(body)}</table></div>'
    )


def render_ledger_line(manifest: dict[str, Any]) -> str:
    """One line on the plan that ended: how many targets were met, missed, in progress, unpublished."""
    ledger = (manifest.get("key_results") or {}).get("ledger") or {}
    closed = (manifest.get("plan") or {}).get("closed") or {}
    if not ledger or not closed:
        return ""
    esc = html.escape
    city = ledger.get("city", {})
    parts = "、".join(f"{esc(k)} {v}项" for k, v in city.items())
    has_page = any(
        j.get("notebook") == "92_plan_ledger" and j.get("status") in ("ok", "skipped") for j in manifest.get("jobs", [])
    )
    link = f'（<a href="{esc(LEDGER_PAGE)}">收官台账 close-out ledger</a>）' if has_page else ""
    return (
        f"<p><b>{esc(str(closed.get('name_zh', '')))}收官：</b>全市{esc(str(sum(city.values())))}项目标中 {parts}"
        f'{link}；明细见 <a href="tables/plan_ledger.csv">tables/plan_ledger.csv</a>。'
        " <small>Close-out of the plan that ended: targets met, missed, in progress and not published.</small></p>"
    )
