-- Product groups: one name for a product whatever the source called it over the years.
-- The CFPB renamed and merged products in April 2017 (and again in 2023), so an export
-- holds old and new names side by side. The raw name stays in complaints.product; the
-- group, filled at import, is what the analysis filters by. A name not listed here is
-- its own group.

CREATE TABLE product_groups (
    product VARCHAR PRIMARY KEY,
    product_group VARCHAR NOT NULL
);

INSERT INTO product_groups (product, product_group) VALUES
    -- credit reporting
    ('Credit reporting', 'Credit reporting, credit repair services, or other personal consumer reports'),
    ('Credit reporting or other personal consumer reports',
     'Credit reporting, credit repair services, or other personal consumer reports'),
    -- bank accounts
    ('Bank account or service', 'Checking or savings account'),
    -- cards: the 2017 merger of credit and prepaid cards (split again in 2023)
    ('Credit card', 'Credit card or prepaid card'),
    ('Prepaid card', 'Credit card or prepaid card'),
    -- loans
    ('Payday loan', 'Payday loan, title loan, or personal loan'),
    ('Payday loan, title loan, personal loan, or advance loan', 'Payday loan, title loan, or personal loan'),
    -- "Consumer Loan" was split by sub-product; most of it was vehicle loans and leases
    ('Consumer Loan', 'Vehicle loan or lease'),
    -- money services
    ('Money transfers', 'Money transfer, virtual currency, or money service'),
    ('Virtual currency', 'Money transfer, virtual currency, or money service');

ALTER TABLE complaints ADD COLUMN product_group VARCHAR;

UPDATE complaints SET product_group = coalesce(
    (SELECT g.product_group FROM product_groups g WHERE g.product = complaints.product), product);
