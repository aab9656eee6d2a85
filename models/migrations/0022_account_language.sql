-- The language each person chose on "My account" (en, uk, ru, lt); NULL: none chosen, so the
-- browser's preferred language or the default_language setting applies.
ALTER TABLE accounts ADD COLUMN language VARCHAR;
