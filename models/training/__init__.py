"""Training and compliance (SPEC §6): the competency catalogue, courses, assignments,
completions with their true dates, and the compliance HR acts on.

The rules, stated once (every module of this package follows them):

1. **Mandatory.** An active course is mandatory for an active person when one of the
   course's roles is theirs or their team is one of the course's teams.
2. **One open assignment.** A person never holds two open assignments of the same course.
   An assignment is due ``due_within_days`` after it is made unless HR gives a due date.
3. **Assigned by rule.** When a person joins, changes team or gains a role, each course
   that becomes mandatory for them is assigned, unless they hold an open assignment of it
   or a valid completion. A refresher is assigned 30 days before the person's latest
   passed completion of a mandatory course expires, due the day it expires.
4. **Closing.** An assignment is closed by the earliest passed completion of its course
   dated on or after the day it was made and before the day it was cancelled, if it was.
   A completion imported years later therefore closes the assignments that were open on
   its date, and no other; an assignment cancelled after that date becomes completed.
5. **Validity.** A passed completion expires ``refresher_months`` calendar months after
   the day it happened (never, for a course without a refresher). A person holds a valid
   completion of a course on day R when one was completed on or before R and expires
   after R.
6. **State of an assignment on day R.** Cancelled; completed on time (on or before its due
   date) or completed late; open and not yet due (R on or before the due date); overdue.
   For a course with a refresher, a completed assignment is also valid, expiring (the
   person's valid completion expires within 30 days of R, 30 included) or expired.
7. **Compliance of a group on day R** = the share of its mandatory assignments due on or
   before R (not cancelled by R, of people employed on R) that were completed by their due
   date and whose person still holds a valid completion of the course on R.
8. **Who sees what** (SPEC §0): an agent sees their own training, a team lead their team's,
   HR and leadership everyone's.
"""
