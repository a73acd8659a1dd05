-- Stories: articles that carry the same news (exact or near duplicates),
-- with their count of distinct sites. See package dedup.

ALTER TABLE articles ADD COLUMN simhash_tail INTEGER NOT NULL DEFAULT 0; -- uint64 bits as int64
ALTER TABLE articles ADD COLUMN site TEXT NOT NULL DEFAULT '';            -- registrable domain

CREATE TABLE stories (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    first_seen INTEGER NOT NULL,           -- unix ms: when its first article was fetched
    articles   INTEGER NOT NULL DEFAULT 0,
    sites      INTEGER NOT NULL DEFAULT 0  -- distinct registrable domains
) STRICT;

CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX stories_first_seen ON stories (first_seen);
