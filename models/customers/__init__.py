"""Voice of the customer (SPEC §3b): customer survey answers (NPS, CSAT, customer effort)
with their channel, team and comment, the KPIs computed from them and the customers' own
words attached to findings and ideas.

The rules, stated once (every module of this package follows them):

1. **Answers.** An answer has a day, a channel, a survey type (NPS on 0-10, CSAT on 1-5, CES on
   1-7 — the catalogue's "score 1-7"), a whole-number score on that scale, optionally a team or
   unit, a comment, a customer id and the survey tool's id. Answers come from imports
   (``survey_import``); one answer is stored once (same external id, else same content).
2. **Teams.** A team or unit that names a portal team (any case) is that team. One that names
   none is kept as the unit given, with no team: the answer counts for the organisation and its
   channel, and for no team; the import's report lists it.
3. **KPIs** (``scores``), per month, channel and team: NPS = % promoters (9-10) − % detractors
   (0-6); CSAT = share of 4-5 on 1-5; CES = mean effort score. A group without answers has no
   value. The organisation's monthly series feed the catalogue's computed KPIs nps, csat, ces.
4. **Who sees what** (SPEC §0): the scores' aggregates are read by everyone holding the complaint
   aggregates; comments (they may hold personal data) only by analysts and leadership, who may
   search them and attach them to a finding (analysts) or an idea as the customer's own words.
"""
