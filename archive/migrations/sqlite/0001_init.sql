-- 0001: sources, articles and the full-text index over articles.
-- Times are INTEGER unix milliseconds UTC; NULL means unknown or never.

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL DEFAULT 'feed',
    url             TEXT    NOT NULL DEFAULT '',
    schedule        TEXT    NOT NULL DEFAULT '',
    full_text       TEXT    NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 1,
    follow          TEXT    NOT NULL DEFAULT '[]', -- JSON array of URL patterns
    allowed_domains TEXT    NOT NULL DEFAULT '[]', -- JSON array of host names
    max_depth       INTEGER NOT NULL DEFAULT 0,
    max_pages       INTEGER NOT NULL DEFAULT 0,
    delay_ms        INTEGER NOT NULL DEFAULT 0,
    origin          TEXT    NOT NULL DEFAULT 'user',
    created_at      INTEGER NOT NULL,

    -- poll state
    etag            TEXT    NOT NULL DEFAULT '',
    last_modified   TEXT    NOT NULL DEFAULT '',
    last_polled_at  INTEGER,
    last_ok_at      INTEGER,
    last_error_at   INTEGER,
    last_error      TEXT    NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER
) STRICT;

-- Articles keep the source's name rather than a foreign key: deleting a
-- source keeps its articles, and the name is what searches filter on.
-- AUTOINCREMENT: IDs only grow, which the full-text watermark relies on.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    url          TEXT    NOT NULL UNIQUE, -- canonical
    source       TEXT    NOT NULL DEFAULT '',
    guid         TEXT    NOT NULL DEFAULT '', -- feed item ID; frontierwatch.Article has no field for it yet
    title        TEXT    NOT NULL DEFAULT '',
    author       TEXT    NOT NULL DEFAULT '',
    published_at INTEGER,                 -- NULL when the source did not say
    fetched_at   INTEGER NOT NULL,
    text         TEXT    NOT NULL DEFAULT '',
    language     TEXT    NOT NULL DEFAULT '',
    content_hash TEXT    NOT NULL DEFAULT '',
    simhash      INTEGER NOT NULL DEFAULT 0, -- uint64 bits stored as int64
    story_id     INTEGER,
    topics       TEXT    NOT NULL DEFAULT '' -- JSON array of {topic, score}; '' when none
) STRICT;

-- "When" of an article is its publication time, or its fetch time when the
-- publication time is unknown; listings sort and filter on it.
CREATE INDEX articles_when ON articles (coalesce(published_at, fetched_at));
CREATE INDEX articles_source_when ON articles (source, coalesce(published_at, fetched_at));

-- Full-text index over title and text. Indexing is deferred: inserting an
-- article costs a few microseconds, indexing it a few hundred, so new
-- articles are indexed in batches (Store.IndexPending, and Search before it
-- queries) up to the watermark articles_fts_state.indexed_upto. Triggers keep
-- the indexed articles in sync when they change or go.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title,
    text,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE articles_fts_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL -- every article with id <= indexed_upto is indexed
) STRICT;
INSERT INTO articles_fts_state (id, indexed_upto) VALUES (1, 0);

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
WHEN old.id <= (SELECT indexed_upto FROM articles_fts_state)
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;

-- Only a change of the indexed columns reindexes (setting story_id does not).
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles
WHEN old.id <= (SELECT indexed_upto FROM articles_fts_state)
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
