-- Rule 2 of models/training as a constraint: one row per open assignment, keyed by person and
-- course, so two writers that each assign the same course to the same person cannot both
-- commit (the second is refused and retried, and then sees the first one's assignment).
CREATE TABLE training_open_assignments (
    employee_id INTEGER NOT NULL,
    course_id INTEGER NOT NULL,
    assignment_id INTEGER NOT NULL,
    PRIMARY KEY (employee_id, course_id)
);
