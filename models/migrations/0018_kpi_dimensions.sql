-- KPIs by channel, team and site: a measurement may carry a channel, a team and/or a site
-- (NULL: the whole organisation); a goal may target one of them. At most one dimension per
-- goal, and that teams and sites exist, is checked in models/strategy (see 0001).
ALTER TABLE kpi_measurements ADD COLUMN channel VARCHAR;
ALTER TABLE kpi_measurements ADD COLUMN team_id INTEGER;
ALTER TABLE kpi_measurements ADD COLUMN site_id INTEGER;
ALTER TABLE goals ADD COLUMN channel VARCHAR;
ALTER TABLE goals ADD COLUMN team_id INTEGER;
ALTER TABLE goals ADD COLUMN site_id INTEGER;

-- More KPIs in the catalogue: contact-centre operations entered or imported, and the two
-- the portal computes from the people data (models/people/kpis.py).
INSERT INTO kpis (code, name, unit, direction, definition, created_at) VALUES
    ('call_transfer_rate', 'Call-transfer rate', '%', 'lower', 'Share of answered calls transferred to another team or line before the customer''s issue was handled', current_timestamp),
    ('hold_time', 'Hold time', 'seconds', 'lower', 'Mean time a customer spends on hold per answered call', current_timestamp),
    ('speed_of_answer', 'Speed of answer', 'seconds', 'lower', 'Mean time from a contact entering the queue to an agent answering it (ASA)', current_timestamp),
    ('cost_per_contact', 'Cost per contact', 'currency / contact', 'lower', 'Operating cost of the contact centre in the period divided by the contacts handled in it', current_timestamp),
    ('ticket_backlog', 'Ticket backlog', 'open tickets', 'lower', 'Tickets open and unresolved at the end of the period', current_timestamp),
    ('quality_score', 'Quality score', '%', 'higher', 'Mean score of the contacts reviewed for quality in the period (share of the review''s points met)', current_timestamp),
    ('contacts_per_hour', 'Contacts per hour', 'contacts / hour', 'higher', 'Contacts handled per logged-in productive hour (productivity)', current_timestamp),
    ('attrition', 'Attrition', '%', 'lower', 'Leavers in the 12 months to the month''s end divided by the average headcount at the ends of those 12 months (computed from the people data)', current_timestamp),
    ('early_attrition', 'Early attrition', '%', 'lower', 'Of the people who left in the 12 months to the month''s end, the share who left within 90 days of their hire date (computed from the people data)', current_timestamp);
