-- The economy's figures (DOMAIN.md section 10, issue 23): each street's indicator readings per
-- month with every revision kept (a correction is a new version; nothing is updated or
-- deleted), and the annual plan targets, versioned the same way. Street first in every key.
-- Kept in step with ../sqlite/0023_economy.sql.

CREATE TABLE economy_reading (
    street_id   UUID NOT NULL,
    indicator   TEXT NOT NULL,
    -- YYYY-MM
    month       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    -- In the indicator's smallest unit (fen, cents, whole counts).
    amount      BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    -- form, or import:<file name>
    source      TEXT NOT NULL,
    PRIMARY KEY (street_id, indicator, month, version)
);

CREATE TABLE economy_target (
    street_id   UUID NOT NULL,
    indicator   TEXT NOT NULL,
    year        BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (street_id, indicator, year, version)
);
