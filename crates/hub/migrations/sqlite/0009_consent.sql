-- Consent: messages (and companies) whose customers did not allow training use.
ALTER TABLE messages ADD COLUMN no_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE companies ADD COLUMN no_consent INTEGER NOT NULL DEFAULT 0;
