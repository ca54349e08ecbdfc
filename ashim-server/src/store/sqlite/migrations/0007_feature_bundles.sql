CREATE TABLE feature_bundles (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    installed_version TEXT,
    error TEXT,
    percent INTEGER,
    stage TEXT,
    job_id TEXT,
    updated_at INTEGER NOT NULL
);
