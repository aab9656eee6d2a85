"""Recognition (SPEC §7): kudos between colleagues, badges the portal awards itself, the
feed, the walls, the leaderboard and HR's export.

The rules, stated once (every module of this package follows them):

1. **Kudos.** Anyone gives kudos to a person or to a team, with a message (required) and one
   tag: a competency of the framework or a company value HR keeps (``values``). Never to
   oneself, nor to a team whose only active member is oneself. Kudos to a team reach every
   active member at the time of giving but the giver (``kudos_recipients``).
2. **Allowance.** With ``kudos_monthly_allowance`` above 0, a person gives at most that many
   kudos per calendar month (hidden ones count: they were given); the next is refused saying
   none are left.
3. **Hiding.** HR hides a kudos that breaks the rules, with a reason: it is kept and
   audited, no longer shown on the feed, walls, leaderboard or competency record, and no
   longer counts towards the kudos badge.
4. **Badges** are declared once in ``badges.BADGES`` and awarded by ``refresh_badges``,
   idempotently, after the events that cause them and on open; a badge whose cause is
   reversed is withdrawn (kept, audited).
5. **Who sees what** (SPEC §0: every employee gives and receives kudos). Kudos are public
   praise: everyone reads the feed, any person's wall and the leaderboard. Hidden kudos are
   read by HR only, in the admin page and the export.
6. **Leaderboard.** Per month, quarter or year, for everyone or one team: kudos received,
   kudos given and ideas green-lit, ranked only when at least ``MIN_RANKED`` (3) people
   are in it.
"""
