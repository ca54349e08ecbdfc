CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);
INSERT INTO teams (id, name, created_at) VALUES ('default-team-00000000', 'Default', strftime('%s', 'now'));
