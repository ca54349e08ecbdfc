CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tool_id TEXT,
    user_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_status ON jobs(status);
ALTER TABLE users ADD COLUMN analytics_enabled INTEGER;
ALTER TABLE users ADD COLUMN analytics_consent_shown_at INTEGER;
ALTER TABLE users ADD COLUMN analytics_consent_remind_at INTEGER;
