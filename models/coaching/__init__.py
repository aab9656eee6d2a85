"""Coaching (SPEC §6): the coaching log a team lead keeps for the people of their team, the
follow-ups it sets, the person's acknowledgement, and the report that sets each team's share
of integrated coaching beside its movement in assessed levels.

The rules, stated once (every module of this package follows them):

1. **Who records.** A team lead records sessions for the people of their own team (people
   whose team is the lead's team, the lead excepted); HR may record a session for anyone
   (L&D coaches). Only the author of a session edits it; an edit made on a version someone
   saved since is refused. An edit of the shared part asks the person to acknowledge again.
2. **What a session is.** A day not in the future, a kind (integrated: short, on the floor;
   scheduled: booked, off the floor), minutes above zero, an optional competency focus from
   the active catalogue, notes shared with the person (required), private notes (optional)
   and a follow-up action with its due date (both or neither, due on or after the session).
3. **Who reads what.** A person reads the shared part of their own sessions; a team lead the
   sessions of their own team; HR and leadership everyone's. Private notes are returned to
   their author and to HR only, never to the person, another lead or leadership.
4. **Acknowledgement and follow-up.** The person coached acknowledges each session, once.
   A follow-up is marked done by the coach or the person; it is overdue on day R when its
   due date is before R and it is not done.
5. **Report.** A session counts for the team its person belongs to. A team's integrated
   share in a month is its integrated sessions (and minutes) over all its sessions (and
   minutes) held that month. Its level movement in a month is the mean, over the
   person-competencies of the team that had an assessed level at both month ends, of the
   current level at the month's end minus the current level at the previous month's end;
   the current level on a day is the level of the person's latest assessment of the
   competency made on or before it (the level granted on appeal when an appeal was upheld).
"""

from models.i18n import N_

KINDS = ("integrated", "scheduled")
KIND_LABELS = {"integrated": N_("Integrated (on the floor)"), "scheduled": N_("Scheduled")}  # translated where shown
LEVEL_NAMES = {1: "novice", 2: "developing", 3: "proficient", 4: "expert"}
