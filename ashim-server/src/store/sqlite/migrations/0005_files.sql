CREATE TABLE files (
    id TEXT PRIMARY KEY,
    owner_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    stored_name TEXT NOT NULL,
    original_name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    version INTEGER NOT NULL,
    parent_id TEXT REFERENCES files(id) ON DELETE SET NULL,
    tool_chain TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX files_parent ON files(parent_id);
