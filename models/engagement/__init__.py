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

   *Where answers live while the survey is open.* Each answer is *sealed* (AES-GCM, a
   random nonce, padded to one size so its length tells nothing) with a key kept in a file
   beside the database (``.survey_key``, readable by its owner only) — never in the
   database — and stored in ``survey_sealed_answers``. Nothing is released while the
   survey is open. At close (the closing day passed, or HR closed it early) every answer of
   the survey is *released* at once: written out in one freshly shuffled order with random
   ids, and the sealed answers deleted. A released answer holds no person, no time, and an
   id and physical position that are random; its team and site are kept only where that
   group is large enough to be shown (rule 5), so a small team's answers carry no team at
   all. Someone comparing the database just before and just after the close finds the
   whole survey appear together, so nothing tells the last answers from the first; answers
   an open survey released early (as the portal once did, in batches) are withdrawn when
   the database is opened, to be released with the rest at close.

   *Trade-off.* Sealing in the database survives a restart (a memory-only store would
   lose answers whenever the portal restarts; a key held only in memory would make the
   sealed answers unreadable after a restart). The price: someone holding both the
   database *and* the key file while a survey is open could read that survey's sealed
   answers in the order they came. A backup holds the database without the key, so an
   open survey's sealed answers restored elsewhere cannot be read there (they are
   skipped at its close); restored beside its key, or once released, they are unaffected.
4. **eNPS** = % promoters (9–10) − % detractors (0–6), in points, with the counts.
5. **What may be shown.** A group (the organisation, a team, a site) is shown only with
   at least ``anonymity_min_group`` answers. When groups are hidden, more are hidden,
   smallest first, until the hidden ones together are at least two groups holding at least
   the threshold, so subtracting the shown groups from the total reveals no small group;
   teams are suppressed within their site. Comments follow the same rule on the number of
   comments; HR may hide a comment (kept and audited).
6. **Who sees what, and when.** A survey's results — eNPS, questions, teams, sites,
   comments — exist only once it has closed and its answers are released; before that
   they are refused to everyone, HR and leadership included, so comparing figures over
   time can never isolate the latest answers. While it is open, HR and leadership follow
   its participation only: how many of the people it asks have answered, and the share.
   Once closed, everyone sees the organisation's results; team leads their own team's
   when it may be shown; HR and leadership every group that may be shown. No one sees an
   individual answer. A survey asks, and its participation counts, the people of its
   audience employed while it ran; a team's idea participation beside its eNPS counts the
   team the same way.
7. **eNPS is a computed KPI**: the eNPS of each closed survey at the end of the month it
   closed in; never entered by hand.
8. **Engagement around a Speak-Up Day** (the cycle report): before, the last survey closed
   before the day; after, the first of the surveys opened after the day to close — until
   one has, the report waits for it, and once known it never changes. Surveys nobody
   answered are passed over; one with too few answers gives no figure.
"""
