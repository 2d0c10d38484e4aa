"""Call prep for a brief: what to say, to whom, and where each claim was read.

A brief is read by an SDR two minutes before a call. Everything here is chosen by what is
true of this account: its live signals in their own wording and age (an old round is
background, never an opener), the criteria it matched with the value that matched, the
personas its teams and size call for (with the reason), and the people of a contacts
export who hold those jobs. Every claim carries `source`: the list row or event line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from listbuilder.formatting import employee_band_text, number_text

# How a signal kind opens a call when the profile's [talking_points] has no line for it.
# `{label}` is the signal in its own wording ("Sales team grew 10 → 30 in 6 months").
DEFAULT_OPENERS: dict[str, str] = {
    "funding": "Congratulations on the recent round ({label}, {age}): new money usually "
    "means new targets and new territories.",
    "exec_hire": "Saw the news: {label}. New leaders review the process and the tools in "
    "their first 90 days.",
    "job_spike": "You are hiring fast ({label}): new reps ramp faster on a clean, ranked "
    "territory.",
    "headcount_growth": "{label}: a team that grows this fast outgrows its routing rules.",
    "tech_change": "Saw the stack change ({label}): the process around it is open for review.",
    "announcement": "Saw the announcement ({label}): how does it change who you sell to?",
}
KIND_TOPICS: dict[str, str] = {
    "funding": "Funding",
    "exec_hire": "New leader",
    "job_spike": "Hiring spike",
    "headcount_growth": "Team growth",
    "tech_change": "Stack change",
    "announcement": "Announcement",
}
CONTACTS_SHOWN = 5  # people a brief names, best persona match first


def _age(days: Any) -> str:
    if days is None:
        return "date unknown"
    days = int(days)
    return "today" if days == 0 else "1 day ago" if days == 1 else f"{days:,} days ago"


def _fmt(text: str, **values: str) -> str:
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def signal_entries(
    signals: Sequence[dict[str, Any]], *, live_points: float, live_days: int | None
) -> list[dict[str, Any]]:
    """The brief's signals, each with `live` (fresh and strong enough to call on: at most
    `live_days` old and worth `live_points` or more) and `note` (why it is not, else None)."""
    out = []
    for s in signals:
        age, boost = s.get("age_days"), s.get("boost") or 0.0
        note = None
        if live_days is not None and age is not None and age > live_days:
            note = f"older than {live_days} days: background, not a reason to call now"
        elif boost < live_points:
            weak = f"+{number_text(float(boost), 1)}, under the profile's {live_points:g}"
            note = f"weak ({weak}): background only"
        out.append({**s, "age": _age(age), "live": note is None, "note": note})
    return out


def talking_points(
    points: dict[str, list[str]], fit: Sequence[dict[str, Any]], signals: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What to say, strongest first: live signals (the profile's line for the kind, else a
    default opener, with the signal's own wording and age), then matched criteria with the
    value that matched, then discovery questions for criteria without data. Stale or weak
    signals come last as background. Each point: topic, text, evidence, source."""
    by_key = {k.casefold(): v for k, v in points.items()}
    out: list[dict[str, Any]] = []
    background: list[dict[str, Any]] = []
    for s in signals:
        kind = str(s.get("kind") or "")
        label = str(s.get("label") or kind or "signal")
        evidence = f"{label}, {s.get('age') or _age(s.get('age_days'))}"
        if not s.get("live"):
            background.append(
                {
                    "topic": "Background",
                    "text": f"{evidence} — {s.get('note')}; do not open with it.",
                    "evidence": evidence,
                    "source": s.get("source"),
                }
            )
            continue
        texts = by_key.get(kind.casefold()) or [DEFAULT_OPENERS.get(kind, "{label}")]
        for text in texts:
            said = _fmt(text, label=label, age=s.get("age") or "")
            out.append(
                {
                    "topic": KIND_TOPICS.get(kind, kind.replace("_", " ").capitalize()),
                    "text": said,
                    # the signal in its own words, unless the line already quotes it
                    "evidence": None if label in said else evidence,
                    "source": s.get("source"),
                }
            )
    matched = [f for f in fit if f.get("status") in ("match", "partial")]
    matched.sort(key=lambda f: -(f.get("points") or 0.0))
    for f in matched:
        for text in by_key.get(str(f.get("criterion")).casefold(), []):
            out.append(
                {
                    "topic": f["criterion"],
                    "text": text,
                    "evidence": f.get("shown"),
                    "source": f.get("source"),
                }
            )
    for f in fit:
        if f.get("status") == "unknown" and not f.get("value"):
            out.append(
                {
                    "topic": "Ask",
                    "text": f"{f['criterion']}: no data in the list "
                    f"({(f.get('weight') or 0):g} points open) — confirm on the call.",
                    "evidence": None,
                    "source": None,
                }
            )
    return out + background


def _persona_teams(p: dict[str, Any]) -> list[str]:
    teams = [p.get("department"), *(p.get("departments") or ())]
    return [t for t in teams if t and str(t).casefold() != "executive"]


def _team_hit(teams: Sequence[str], departments: Sequence[str]) -> str | None:
    listed = {d.strip().casefold(): d for d in departments}
    return next((listed[t.casefold()] for t in teams if t.casefold() in listed), None)


def choose_personas(
    personas: Sequence[dict[str, Any]],
    *,
    departments: Sequence[str] | None,
    employees: int | None,
    signals: Sequence[dict[str, Any]],
    source: str | None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The profile's personas that fit this account, best first, each with `reason` (its
    teams, its size, a live signal about the persona's team) and `source`; and one line per
    persona left out (`CRO: over 5,000 employees`)."""
    ranked: list[tuple[int, int, dict[str, Any]]] = []
    skipped: list[str] = []
    for index, p in enumerate(personas):
        low, high = p.get("min_employees"), p.get("max_employees")
        if employees is not None and low is not None and employees < low:
            skipped.append(f"{p['title']}: under {low:,} employees ({employees:,})")
            continue
        if employees is not None and high is not None and employees > high:
            skipped.append(f"{p['title']}: over {high:,} employees ({employees:,})")
            continue
        reasons: list[str] = []
        weight = 0
        teams = _persona_teams(p)
        if teams and departments:
            hit = _team_hit(teams, departments)
            if hit:
                weight += 2
                reasons.append(f"{hit} is on its team list")
            else:
                weight -= 1
                reasons.append(f"no {teams[0]} team listed: ask who owns {teams[0]}")
        elif teams:
            reasons.append("its teams are unknown")
        if employees is not None and (low is not None or high is not None):
            weight += 1
            span = employee_band_text(low or 0, high)
            reasons.append(f"{employees:,} employees, in its {span} range")
        for s in signals:
            label = str(s.get("label") or "")
            if s.get("live") and any(t.casefold() in label.casefold() for t in teams):
                weight += 3
                reasons.insert(0, f"{label} ({s.get('age')})")
                break
        ranked.append(
            (
                -weight,
                index,
                {**p, "reason": "; ".join(reasons) or None, "source": source},
            )
        )
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [p for _, _, p in ranked], skipped


def _title_pattern(persona: dict[str, Any]) -> re.Pattern[str] | None:
    text = persona.get("titles")
    if not text:
        words = re.findall(r"[A-Za-z]+", str(persona.get("title") or ""))
        if not words:
            return None
        text = r"\b" + r"[\s,./&-]*(?:of\s+)?".join(map(re.escape, words)) + r"\b"
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        return None


def rank_contacts(
    contacts: Sequence[dict[str, Any]], personas: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The account's people from a contacts export, ranked by the persona their title
    matches (in the order `choose_personas` gave), unmatched titles after; each gets
    `persona` (the title it matched, or None). At most `CONTACTS_SHOWN`."""
    patterns = [(p["title"], _title_pattern(p)) for p in personas]
    scored = []
    for index, c in enumerate(contacts):
        title = str(c.get("title") or "")
        rank, persona = len(patterns), None
        for i, (name, pattern) in enumerate(patterns):
            if pattern is not None and title and pattern.search(title):
                rank, persona = i, name
                break
        scored.append((rank, str(c.get("name") or "").casefold(), index, {**c, "persona": persona}))
    scored.sort(key=lambda t: t[:3])
    return [c for *_, c in scored[:CONTACTS_SHOWN]]
