"""`elig diff` as text, JSON or Markdown."""

from __future__ import annotations

import json

from elig.authoring.diff import Diff, MeasureChange
from elig.text import printable

SHOWN_ROWS = 20  # firms listed in text and Markdown (JSON lists all)


def diff_json(d: Diff) -> dict:
    found: dict = {
        "old": d.old, "new": d.new,
        "counts": {c: d.count(c) for c in ("added", "removed", "changed")},
        "measures": [{"id": m.id, "title": m.title, "change": m.change, "fields": m.fields,
                      "conditions": [{"change": c.change, "group": c.where, "field": c.condition.field,
                                      "op": c.condition.op, "values": list(c.condition.values),
                                      "quote": c.condition.quote} for c in m.conditions]} for m in d.measures],
        "scopes_changed": d.scopes,
    }
    if d.impact is not None:
        found["impact"] = {
            "rows": d.impact.n_rows, "rows_changed": len(d.impact.rows),
            "firms": [{"row": r, "firm": f, "gained": g, "lost": lo} for r, f, g, lo in d.impact.rows],
            "measures": [{"id": m, "firms_gained": d.impact.gained[m], "firms_lost": d.impact.lost[m]}
                         for m in sorted(set(d.impact.gained) | set(d.impact.lost))],
        }
    return found


def render_diff(d: Diff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff_json(d), ensure_ascii=False, indent=2) + "\n"
    md = fmt == "md"
    lines = [f"{'# ' if md else ''}Rules {d.old} → {d.new}", "",
             f"{_n(d.count('added'), 'measure')} added · {d.count('removed')} removed · {d.count('changed')} changed"]
    if d.scopes:
        lines.append(f"document scope changed (binds all its measures): {', '.join(d.scopes)}")
    for change in ("added", "removed", "changed"):
        found = [m for m in d.measures if m.change == change]
        if found:
            lines += ["", f"{'## ' if md else ''}{change.capitalize()} ({len(found)})"]
            for m in found:
                lines += _measure(m, md)
    if d.impact is not None:
        i = d.impact
        n_gained, n_lost = sum(len(g) for _, _, g, _ in i.rows), sum(len(lo) for _, _, _, lo in i.rows)
        lines += ["", f"{'## ' if md else ''}Impact on the list ({i.n_rows} rows)",
                  f"{_n(len(i.rows), 'row')} changed: {_n(n_gained, 'eligible measure')} gained, {n_lost} lost"]
        measures = sorted(set(i.gained) | set(i.lost), key=lambda m: (-(i.gained[m] + i.lost[m]), m))
        if measures:
            lines += ["", "per measure:"]
            lines += [f"{'- ' if md else '  '}{_code(m, md)}: +{_n(i.gained[m], 'firm')}, -{i.lost[m]}" for m in measures]
        if i.rows:
            lines += ["", "per firm:"]
            for row, firm, gained, lost in i.rows[:SHOWN_ROWS]:
                lines.append(f"{'- ' if md else '  '}row {row} {printable(firm)}: "
                             + "; ".join(filter(None, [f"+{', '.join(gained)}" if gained else "",
                                                       f"-{', '.join(lost)}" if lost else ""])))
            if len(i.rows) > SHOWN_ROWS:
                lines.append(f"  … and {len(i.rows) - SHOWN_ROWS} more rows (--format json lists them all)")
    return "\n".join(lines) + "\n"


def _measure(m: MeasureChange, md: bool) -> list[str]:
    head = f"{'- ' if md else '  '}{_code(m.id, md)}  {printable(m.title)}"
    if m.fields:
        head += f" · changed: {', '.join(m.fields)}"
    out = [head]
    for c in m.conditions:
        cond = c.condition
        out.append(f"{'  - ' if md else '      '}{'+' if c.change == 'added' else '-'} [{c.where}] {cond.field} {cond.op} "
                   f"{'/'.join(cond.values)}  「{printable(cond.quote)}」")
    return out


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _code(text: str, md: bool) -> str:
    return f"`{text}`" if md else text
