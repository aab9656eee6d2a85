-- The identity at the sign-in provider (its issuer and the subject it gives the person, which
-- do not change when an email does) that each account signs in with through single sign-on,
-- bound at the account's first such sign-in. Later sign-ins find the account by it, so an
-- email moved from one person's record to another's never hands one identity another's
-- account. One identity per account, one account per identity.
CREATE TABLE sso_identities (
    issuer VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    account_id INTEGER NOT NULL UNIQUE,
    bound_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, subject)
);
