"""The inbox: people are told what concerns them (SPEC §5 "authors are told the outcome and
feedback", issue 14).

Rules stated once:

1. A message is written by the domain function of the event that causes it, inside that
   write's transaction (``messages.notify`` takes the write's connection): a refused or
   rolled-back write tells nobody, and a stored event always tells.
2. Nobody is told of their own act: the actor is never among the recipients, and people no
   longer active are told nothing.
3. A person reads and marks only their own messages.
4. A notice about a state that lasts (a course overdue, a survey open) is written once per
   person and record (its ``record_key``), however often the calendar work runs.
5. When settings name an SMTP server, every message is also queued as an email in the same
   transaction and sent after the commit (``outbox.deliver_pending``); it is marked sent only
   once the server accepted it, and a failure is tried again later. Without a server nothing
   is queued and nothing leaves the machine.
"""
