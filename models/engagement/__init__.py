"""Engagement (SPEC §8): quarterly pulse surveys, their eNPS and the results shown only
where no one can be singled out.

The rules, stated once (every module of this package follows them):

1. **A survey.** HR writes it: the eNPS question (0–10), up to five optional questions
   (agreement 1–5 or score 0–10), an optional comment, an audience (everyone, or chosen
   teams and sites), an opening and a closing day. It can be edited until it opens and
   closed early once open. On day R it is *planned* before it opens, *open* from its
   opening day to its closing day (both included) unless closed early, *closed* after.
2. **One answer per person.** A person of the audience answers an open survey once; they
   can see that they answered, never what — nobody can, HR included.
3. **Anonymity against a reader of the database.** Participation (who answered) and
   answers are kept apart and share nothing but the survey. The audit entry of an answer
   records the participation, never the answer.

   *Where answers live while the survey is open.* Each answer is first *sealed*
   (AES-GCM, a random nonce) with a key kept in a file beside the database
   (``.survey_key``, readable by its owner only) — never in the database — and stored
   in ``survey_sealed_answers``. Whenever at least ``anonymity_min_group`` new answers
   have come in, every answer of the survey is *released*: the released answers are
   written again from scratch in a freshly shuffled order with fresh random ids. At close
   (the closing day passed, or HR closed it early) the last batch is released and the
   sealed answers are deleted. A released answer holds no person, no time, and an id and
   physical position that are random; its team and site are kept only where that group
   is large enough to be shown (rule 5), so a small team's answers carry no team at all.

   *Trade-off.* Sealing in the database survives a restart (a memory-only store would
   lose answers whenever the portal restarts; a key held only in memory would make the
   sealed answers unreadable after a restart). The price: someone holding both the
   database *and* the key file while a survey is open could read that survey's sealed
   answers in the order they came. A backup holds the database without the key, so an
   open survey's sealed answers restored elsewhere cannot be read there (they are
   skipped); released answers are unaffected. Someone reading the database at two moments
   sees which batch each released answer arrived with — a group of at least the threshold,
   except a last batch at close.
4. **eNPS** = % promoters (9–10) − % detractors (0–6), in points, with the counts.
5. **What may be shown.** A group (the organisation, a team, a site) is shown only with
   at least ``anonymity_min_group`` answers. When groups are hidden, more are hidden,
   smallest first, until the hidden ones together are at least two groups holding at least
   the threshold, so subtracting the shown groups from the total reveals no small group;
   teams are suppressed within their site. Comments follow the same rule on the number of
   comments; HR may hide a comment (kept and audited).
6. **Who sees what.** Everyone sees the organisation's results of closed surveys; team
   leads their own team's when it may be shown; HR and leadership every group that may be
   shown, of open surveys too (from the released answers). No one sees an individual
   answer.
7. **eNPS is a computed KPI**: the eNPS of each closed survey at the end of the month it
   closed in; never entered by hand.
"""
