-- Headline figures, the milestones they make, and the deliveries of alerts.

CREATE TABLE figures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    metric     TEXT    NOT NULL,
    key        TEXT    NOT NULL,          -- metric, or metric/benchmark: what figures compare within
    value      REAL,
    min        REAL,
    max        REAL,
    comparable REAL,                      -- the value records compare (a range's sure bound)
    unit       TEXT    NOT NULL DEFAULT '',
    qualifier  TEXT    NOT NULL DEFAULT '',
    subject    TEXT    NOT NULL DEFAULT '',
    benchmark  TEXT    NOT NULL DEFAULT '',
    as_of      TEXT    NOT NULL DEFAULT '',
    forecast   INTEGER NOT NULL DEFAULT 0,
    surface    TEXT    NOT NULL DEFAULT '',
    sentence   TEXT    NOT NULL DEFAULT '',
    seen_at    INTEGER NOT NULL           -- unix ms: the article's published time, else its fetch time
) STRICT;

CREATE INDEX figures_article ON figures (article_id);
CREATE INDEX figures_key ON figures (key, forecast, comparable);
CREATE INDEX figures_metric_seen ON figures (metric, seen_at);

CREATE TABLE milestones (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,        -- record | threshold | first
    metric       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    benchmark    TEXT    NOT NULL DEFAULT '',
    value        REAL    NOT NULL,
    unit         TEXT    NOT NULL DEFAULT '',
    beats        REAL,
    threshold    TEXT    NOT NULL DEFAULT '',
    figure_id    INTEGER NOT NULL REFERENCES figures (id),
    story_id     INTEGER,
    detected_at  INTEGER NOT NULL,
    confirmed_at INTEGER,                 -- when min_sources distinct sites reported it
    sites        INTEGER NOT NULL DEFAULT 0,
    alert        INTEGER NOT NULL DEFAULT 1 -- 0: from an article published before alerts.since
) STRICT;

CREATE INDEX milestones_key ON milestones (key, detected_at);
CREATE INDEX milestones_detected ON milestones (detected_at);

CREATE TABLE milestone_sources (
    milestone_id INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    article_id   INTEGER NOT NULL,
    figure_id    INTEGER,
    site         TEXT    NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (milestone_id, article_id)
) STRICT;

CREATE INDEX milestone_sources_article ON milestone_sources (article_id);

CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | failed | silenced | filtered
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    UNIQUE (milestone_id, channel)
) STRICT;

-- URLs of articles that matched no topic and were not archived: known, so
-- they are not fetched or examined again.
CREATE TABLE skipped_urls (
    url    TEXT    PRIMARY KEY,
    source TEXT    NOT NULL DEFAULT '',
    at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Small facts about this archive, such as when the daemon first started
-- (the default of alerts.since).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
