-- 0002: the durable crawl state of site sources: the visited set and
-- frontier of article URLs, and the validators of seed pages and sitemaps.

-- One row per article URL a site source has found. Inserting a row is the
-- atomic "not visited yet" test-and-set (INSERT … ON CONFLICT DO NOTHING:
-- exactly one finder gets the row); state says how far it got.
CREATE TABLE crawl_urls (
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,                    -- canonical URL: the visited-set key
    url          TEXT    NOT NULL,                    -- the URL to fetch, as found
    depth        INTEGER NOT NULL DEFAULT 1,
    state        TEXT    NOT NULL DEFAULT 'pending',  -- pending | done | failed
    attempts     INTEGER NOT NULL DEFAULT 0,          -- failed fetches so far
    last_error   TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL DEFAULT '',         -- from a news sitemap
    published_at INTEGER,                             -- from a sitemap
    found_at     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (source_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX crawl_urls_pending ON crawl_urls (source_id, state, depth, found_at);

-- ETag and Last-Modified of the pages fetched every run (seeds, sitemaps),
-- for conditional GETs.
CREATE TABLE crawl_validators (
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url           TEXT    NOT NULL,
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
) STRICT, WITHOUT ROWID;
