-- 0002: the durable crawl state of site sources (see the SQLite twin).

CREATE TABLE crawl_urls (
    source_id    BIGINT  NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    key          TEXT COLLATE "C"    NOT NULL,
    url          TEXT COLLATE "C"    NOT NULL,
    depth        BIGINT  NOT NULL DEFAULT 1,
    state        TEXT COLLATE "C"    NOT NULL DEFAULT 'pending',  -- pending | done | failed
    attempts     BIGINT  NOT NULL DEFAULT 0,
    last_error   TEXT COLLATE "C"    NOT NULL DEFAULT '',
    title        TEXT COLLATE "C"    NOT NULL DEFAULT '',
    published_at BIGINT,
    found_at     BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (source_id, key)
);

CREATE INDEX crawl_urls_pending ON crawl_urls (source_id, state, depth, found_at);

CREATE TABLE crawl_validators (
    source_id     BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url           TEXT COLLATE "C"   NOT NULL,
    etag          TEXT COLLATE "C"   NOT NULL DEFAULT '',
    last_modified TEXT COLLATE "C"   NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (source_id, url)
);
