-- Speak-Up Day preparation (SPEC §5, §6): coaching sessions of the preparation courses
-- scheduled between a cycle's shortlist and its day, the invitations of the shortlisted
-- ideas' authors with their attendance, the presenters' running order and the judges
-- present on the day. Rules live in models/speakup/preparation.py and day_plan.py.

CREATE SEQUENCE seq_speakup_prep_sessions START 1;
CREATE TABLE speakup_prep_sessions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_speakup_prep_sessions'),
    cycle_id INTEGER NOT NULL,
    course_id INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    minutes INTEGER NOT NULL,
    place VARCHAR NOT NULL,
    trainer_id INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    scheduled_by INTEGER,
    scheduled_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_speakup_prep_sessions_cycle ON speakup_prep_sessions (cycle_id);

-- One invitation per person and session; idea_id is the shortlisted idea that earned it.
-- attended: TRUE, FALSE or NULL (not recorded yet). A withdrawn invitation is kept with
-- when and why it was withdrawn (its idea left the shortlist).
CREATE SEQUENCE seq_speakup_prep_invitations START 1;
CREATE TABLE speakup_prep_invitations (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_speakup_prep_invitations'),
    session_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    idea_id INTEGER NOT NULL,
    invited_at TIMESTAMP NOT NULL,
    attended BOOLEAN,
    recorded_by INTEGER,
    recorded_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    withdrawn_reason VARCHAR,
    UNIQUE (session_id, employee_id)
);
CREATE INDEX idx_speakup_prep_invitations_person ON speakup_prep_invitations (employee_id);

-- The order the shortlisted ideas are presented in on the day, and who presents each. The
-- order and the judges are replaced whole when leadership saves them, so positions and
-- judges are kept unique by models/speakup/day_plan.py rather than by a key.
CREATE TABLE speakup_running_order (
    cycle_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    idea_id INTEGER NOT NULL,
    presenter_id INTEGER NOT NULL,
    set_by INTEGER,
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_speakup_running_order_cycle ON speakup_running_order (cycle_id);

-- The judges present on the day.
CREATE TABLE speakup_judges_present (
    cycle_id INTEGER NOT NULL,
    judge_id INTEGER NOT NULL,
    set_by INTEGER,
    set_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_speakup_judges_present_cycle ON speakup_judges_present (cycle_id);
