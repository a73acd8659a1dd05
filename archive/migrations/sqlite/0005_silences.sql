-- Silences added through the API (alerts.silences in the config file are
-- not stored): they mute the alerts that match them until a time. An empty
-- field matches anything.

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    metric     TEXT    NOT NULL DEFAULT '',
    subject    TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT '', -- a source name or a site
    until      INTEGER NOT NULL,            -- unix ms: muted while now is before it
    reason     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX silences_until ON silences (until);
