"""Every address cited in ``data/raw`` is on a domain an official could cite, or says plainly that it is not.

Issue 28 item 6: a figure that goes into a document for officials must come from the official release
(统计局, 民政局, gov.cn, county governments, statistical yearbooks) or from citable press (人民网, 新华网,
中国新闻网, 福建日报 / 东南网, 泉州晚报, …). Third-party copies (Q&A sites, wikis, content farms, company sites,
document-sharing sites) may be kept only where no official original could be found, and then the row says
so in the words ``official original not found; third-party copy at <domain>`` (several copies on one
line: ``official original not found; third-party copy at <a>; third-party copy at <b>``). Domains with an indecent
name, or whose copy carries pornographic text, are never cited, with or without that note.

Three lists, each entry with its reason:

- ``ALLOWED``: domain suffixes (or URL prefixes) that are citable as they are;
- ``MIRRORS``: uncitable domains, tolerated only on a line that carries the disclosure for that domain;
- ``BANNED``: never tolerated.

A domain in none of the lists fails the test with a message asking to classify it. Run this file as a
script (``python tests/test_source_domains.py``) to print the inventory table of
``docs/data/source_audit.md``.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SUFFIXES = (".csv", ".md", ".txt")
URL = re.compile(r"https?://[^\s,;\"'<>()\[\]（）「」，。；、]+")
DISCLOSURE = "official original not found; third-party copy at {domain}"
NOT_FOUND, COPY_AT = "official original not found", "third-party copy at {domain}"

# Citable as they are. A key is a domain suffix ("gov.cn" matches "tjj.quanzhou.gov.cn") or, where a
# domain hosts both citable and uncitable material, a URL prefix (github.com: only the UN WPP R packages).
ALLOWED: dict[str, str] = {
    "gov.cn": "Chinese government sites (统计局, 民政局/民政厅, 政府网): official",
    "www.gov.cn": "中国政府网: official",
    "pmc.ncbi.nlm.nih.gov": "PubMed Central, peer-reviewed article (Liang et al. 2015)",
    "journal.healthpolicy.cn": "中国卫生政策研究, academic journal",
    "people.com.cn": "人民网 (人民日报)",
    "xinhuanet.com": "新华网",
    "news.cn": "新华网 (new domain, incl. big5.news.cn and fj.news.cn)",
    "chinanews.com.cn": "中国新闻网",
    "chinadaily.com.cn": "中国日报",
    "china.com.cn": "中国网 (国务院新闻办公室 / 中国外文局)",
    "cri.cn": "中国国际广播电台 (reprints of 福建日报)",
    "fjsen.com": "东南网 (福建日报报业集团)",
    "qzwb.com": "泉州晚报",
    "mnw.cn": "闽南网 (福建日报报业集团); its county articles are bylined by the county bureaus",
    "hxnews.com": "海峡网 / 海峡都市报 (福建日报报业集团)",
    "ijjnews.com": "晋江经济报 / 晋江新闻网 (county party newspaper)",
    "hxfzzx.com": "福建法治报",
    "bbtnews.com.cn": "北京商报 (press report of a 民政部 bulletin)",
    "hkcna.hk": "香港中国通讯社 / 香港新闻网 (press agency)",
    "xmtv.cn": "厦门广播电视集团 (看厦门 app), reprinting 央视新闻",
    "chinataiwan.cn": "中国台湾网 (国务院台湾事务办公室), reprinting 中国新闻网",
    "kankanews.com": "看看新闻 (上海广播电视台)",
    "https://github.com/PPgp/": "UN WPP data as packaged by the UN Population Division's projection group "
    "(R packages wpp2022, wpp2024); official original population.un.org/wpp",
    "https://github.com/cran/wpp2019/": "UN WPP 2019 R data package (CRAN mirror of the package the UN "
    "Population Division publishes); official original population.un.org/wpp",
    "population.un.org": "UN Population Division",
}

# Uncitable; kept only where no official original was found, and then only on a line that says so. An entry
# leaves the list once no row cites it (``test_every_mirror_entry_is_still_cited``); the domains that left are
# named in docs/data/source_audit.md, and one cited again is unclassified until reviewed anew.
MIRRORS: dict[str, str] = {
    "maigoo.com": "content farm (买购网 'ranking' articles)",
    "renrendoc.com": "document-sharing site (user uploads)",
    "kenanpipe.com": "company website reposting news",
    "ientc.org": "scraper copy of government notices",
    "huitujin.com": "content farm",
    "sgs.com": "company regulatory digest (SGS SA), not a publisher of record",
    "2sdx.com": "content farm",
    "gxscse.com": "content farm",
    "bkwk.cn": "AI-written content farm",
    "baidu.com": "百度知道 / 百度百科: user-written Q&A and wiki",
    "ilynn.cn": "content farm",
    "xiaomonv0755.com": "scraper copy",
    "iissy.com": "scraper wiki copy",
    "qiuwenbaike.cn": "求闻百科: user-written wiki",
    "futuresstocktrading.com": "English-language finance blog",
    "wstax.net": "tax-advice website",
    "shunchangzx.com": "forum (bbs)",
    "laodongfa.com": "legal-advice website",
    "emergingtextiles.com": "trade newsletter database",
    "mkma.org": "scraper copy",
    "hyyz888.com": "scraper clone of a 东南网 page",
    "zh.wenxuecity.com": "personal blog on a forum (copy of the NBS yearbook's China totals)",
    "9aivip.com": "encyclopedia copy (county profile)",
    "009951.com": "county profile site, not the county government's",
    "bbnews.cn": "aggregator repost (媒体云)",
    "lo38.cn": "scrambled spam copy of 泉州网",
    "tqfr.cn": "scrambled spam copy",
    "chinaxiaokang.com": "中国小康网 county 'showcase' pages (promotional, not a publisher of record)",
    "qzcns.com": "outlet not identified (carries 泉州晚报 text)",
    "techbow.cn": "local news aggregator (珠海本土网) repost",
    "shi-fen.com": "news aggregator repost (央视网 text)",
    "stheadline.com": "星岛日报, a Hong Kong commercial newspaper (carries 新华社's report); not an official publisher",
}

# Never cited, not even with the disclosure.
BANNED: dict[str, str] = {
    "greekporn.net": "indecent domain name",
    "vixenlinks.com": "indecent domain name",
    "dlhunqing.com": "the copy carries pornographic text around the bulletin",
    "110rl.com": "the copy carries pornographic text around the bulletin",
    "victorzhang.cn": "the copy carries pornographic text around the article",
    "acmerblog.com": "the copy carries pornographic link text below the article",
}


def _match(url: str, table: dict[str, str]) -> str | None:
    """The key of ``table`` that classifies ``url`` (URL prefix first, then the longest domain suffix)."""
    for key in table:
        if key.startswith("http") and url.startswith(key):
            return key
    host = (urlparse(url).hostname or "").lower()
    hits = [k for k in table if not k.startswith("http") and (host == k or host.endswith("." + k))]
    return max(hits, key=len) if hits else None


def classify(url: str) -> tuple[str, str | None]:
    """``("banned" | "mirror" | "allowed" | "unclassified", key)`` for one cited address.

    Prefix keys outrank domain keys, so only the listed paths of github.com are allowed and any other
    repository there is unclassified; a banned domain outranks everything."""
    for kind, table in (("banned", BANNED), ("mirror", MIRRORS), ("allowed", ALLOWED)):
        key = _match(url, {k: v for k, v in table.items() if k.startswith("http")})
        if key:
            return kind, key
    for kind, table in (("banned", BANNED), ("mirror", MIRRORS), ("allowed", ALLOWED)):
        key = _match(url, {k: v for k, v in table.items() if not k.startswith("http")})
        if key:
            return kind, key
    return "unclassified", None


def citations(root: Path = RAW) -> list[tuple[str, int, str, str]]:
    """Every address in ``root``: (file relative to ``root``, line number, URL, the whole line)."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for url in URL.findall(line):
                found.append((str(path.relative_to(root)), number, url.rstrip(".:"), line))
    return found


def problems(root: Path = RAW) -> list[str]:
    """One message per citation that breaks the rules above (empty when the folder is clean)."""
    out = []
    for file, number, url, line in citations(root):
        kind, key = classify(url)
        where = f"data/raw/{file}, line {number}: {url}"
        if kind == "banned":
            out.append(f"{where} — banned domain ({BANNED[key]}); replace the source")
        elif kind == "mirror":
            domain = key.split("/")[2] if key.startswith("http") else key
            if NOT_FOUND not in line or COPY_AT.format(domain=domain) not in line:
                out.append(
                    f"{where} — uncitable ({MIRRORS[key]}); replace it by the official original, or "
                    f"say on that line '{DISCLOSURE.format(domain=domain)}'"
                )
        elif kind == "unclassified":
            out.append(
                f"{where} — domain {urlparse(url).hostname!r} is in no list of "
                "tests/test_source_domains.py: classify it (ALLOWED, MIRRORS or BANNED, with the reason)"
            )
    return out


def test_every_cited_address_in_data_raw_is_citable_or_disclosed():
    found = problems()
    assert not found, f"{len(found)} source(s) to fix:\n" + "\n".join(found[:40])


def stale_mirrors(root: Path = RAW) -> list[str]:
    """``MIRRORS`` keys that no address in ``root`` uses any more (to be moved out of the list)."""
    used = {key for _, _, url, _ in citations(root) for kind, key in [classify(url)] if kind == "mirror"}
    return sorted(key for key in MIRRORS if key not in used)


def test_every_mirror_entry_is_still_cited():
    # A domain stays on the tolerated list only while some row still needs it: once its last copy is replaced
    # by the official source, the entry goes, so that a later row cannot fall back on it silently.
    stale = stale_mirrors()
    assert not stale, f"no row cites {stale} any more: remove them from MIRRORS"


def test_fault_injection_stale_mirror_is_reported(tmp_path):
    _fixture(
        tmp_path,
        "泉州市,2021,x,1,persons,https://www.maigoo.com/news/a.html,"
        "official original not found; third-party copy at maigoo.com",
    )
    stale = stale_mirrors(tmp_path)
    assert "maigoo.com" not in stale and "kenanpipe.com" in stale and len(stale) == len(MIRRORS) - 1


def test_data_raw_cites_something():
    # Guards the scanner itself: a regex that found nothing would pass the test above vacuously.
    assert len(citations()) > 500


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://tjj.quanzhou.gov.cn/tsys/x.htm", "allowed"),
        ("http://www.stats.gov.cn/sj/tjgb/x.html", "allowed"),
        ("https://szb.qzwb.com/old/qzwb/html/x.htm", "allowed"),
        ("https://github.com/PPgp/wpp2022/blob/x/data-raw/tfr.txt", "allowed"),
        ("https://github.com/huachengzhou/my-blog", "unclassified"),
        ("http://www.acmerblog.com/news/20161010/657133.html", "banned"),
        ("https://wapiknow.baidu.com/question/1.html", "mirror"),
        ("https://www.maigoo.com/news/4jgNNTQ2.html", "mirror"),
        ("http://m.greekporn.net/a.html", "banned"),
        ("http://m.dlhunqing.com/data/142/x.html", "banned"),
        ("http://notgov.cn.example.org/x", "unclassified"),
        ("http://fakegov.cn/x", "unclassified"),
    ],
)
def test_classify_hand_checked(url, kind):
    assert classify(url)[0] == kind


def _fixture(tmp_path, line):
    (tmp_path / "x.csv").write_text(
        "geography,year,indicator,value,unit,source,quote_or_note\n" + line + "\n", encoding="utf-8"
    )
    return problems(tmp_path)


def test_fault_injection_banned_domain_fails_even_with_disclosure(tmp_path):
    line = (
        "泉州市,2021,x,1,persons,http://m.greekporn.net/a.html,"
        "official original not found; third-party copy at greekporn.net"
    )
    found = _fixture(tmp_path, line)
    assert len(found) == 1 and "banned" in found[0] and "x.csv, line 2" in found[0]


def test_fault_injection_mirror_without_disclosure_fails(tmp_path):
    found = _fixture(tmp_path, "泉州市,2021,x,1,persons,https://www.maigoo.com/news/a.html,a quote")
    assert len(found) == 1 and "official original not found; third-party copy at maigoo.com" in found[0]


def test_fault_injection_disclosure_names_the_wrong_domain(tmp_path):
    line = (
        "泉州市,2021,x,1,persons,https://www.maigoo.com/news/a.html,"
        "official original not found; third-party copy at kenanpipe.com"
    )
    assert len(_fixture(tmp_path, line)) == 1


def test_fault_injection_mirror_with_disclosure_passes(tmp_path):
    line = (
        "泉州市,2021,x,1,persons,https://www.maigoo.com/news/a.html,"
        '"泉州市统计局 (official original not found; third-party copy at maigoo.com)"'
    )
    assert _fixture(tmp_path, line) == []


def test_fault_injection_unknown_domain_asks_to_classify(tmp_path):
    found = _fixture(tmp_path, "泉州市,2021,x,1,persons,http://www.example-farm.com/a.html,a quote")
    assert len(found) == 1 and "classify it" in found[0]


def inventory_markdown(root: Path = RAW) -> str:
    """The table domain → citations → files → class → reason, most cited first."""
    by_domain: dict[str, list] = collections.defaultdict(list)
    for file, number, url, line in citations(root):
        by_domain[(urlparse(url).hostname or "").lower()].append((file, url, line))
    rows = ["| domain | citations | files | class | reason |", "|---|---:|---|---|---|"]
    for domain, hits in sorted(by_domain.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        kinds = collections.Counter(classify(url) for _, url, _ in hits)
        (kind, key), _ = kinds.most_common(1)[0]
        reason = {**ALLOWED, **MIRRORS, **BANNED}.get(key, "—")
        label = {
            "allowed": "citable",
            "mirror": "uncitable (kept with disclosure)",
            "banned": "banned",
            "unclassified": "UNCLASSIFIED",
        }[kind]
        files = ", ".join(f"`{f}` ({n})" for f, n in collections.Counter(f for f, _, _ in hits).most_common())
        rows.append(f"| {domain} | {len(hits)} | {files} | {label} | {reason} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(inventory_markdown())
