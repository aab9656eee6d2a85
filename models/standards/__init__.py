"""Service standards, mystery-shopper audits and decision rights (SPEC §3b): what the
organisation promises its customers, how mystery shoppers check it, and what each role may
decide for a customer without asking.

The rules, stated once (every module of this package follows them):

1. **Register.** Leadership keeps the service standards and the decision rights; every save
   of one is a new version, kept as it was, and everyone reads the current ones. A standard
   or right is retired (no longer current), never deleted, so audits and uses keep their
   meaning.
2. **Audits.** Analysts (the quality/CX team; the portal has no QA role) build checklists from
   the current standards — each item pass/fail or scored 1–5 — and record audits by hand or
   import them from a CSV. An audit is of one team on one channel on one day, optionally of
   one named agent. A scored item complies at 4 or 5; a pass/fail item when it passed. A CSV
   import is all or nothing: any rejected row stores nothing and the report names each
   row, column and reason; a row already imported (same day, channel, team, agent,
   checklist, results and notes) is counted as a duplicate and stored once.
3. **Compliance** of a standard for a team in a month = the share of its checks in that
   team's audits that month that complied. A standard **fails repeatedly** when it failed in
   at least ``REPEATED_FAILURES`` audits within the period looked at; an analyst turns it into
   a finding in one step, with those audits linked as its evidence.
4. **Who sees an audit.** An audit of a named agent is seen by that agent, the lead of the
   agent's team, HR and leadership only. An audit of a team with no agent named is seen by
   analysts, that team's lead, HR and leadership. Compliance (counts per standard, team and
   month) is seen by analysts, team leads, HR and leadership.
5. **Decision rights.** A right says which role may give which remedy without asking, up to
   which amount (none when no money is involved) and on which conditions. A person logs a
   use of a right their roles hold (the highest limit among their roles applies); a kind of
   remedy none of their roles holds is refused. A use above the limit is stored and
   **flagged** — the remedy was given, so the record is kept, and leadership sees it beside
   the use against limits by team and month.
6. **Proposals.** The authors of an idea, or an analyst for a finding, may propose a change to
   a right (a new limit and/or conditions), linked to the idea or finding; leadership
   accepts it (the right gains a new version) or declines it with a note.
"""
