-- Inspections and hazards (排查整治, DOMAIN.md section 8). Kept in step with
-- ../postgres/0022_inspections.sql.
--
-- A campaign (专项行动) has a scope (org_path), place kinds, a checklist and, for removal
-- campaigns (三改一拆, 清理积水…), targets per unit; rounds are its outings (周三夜查, 零点行动).
-- An inspection checks one registry place against the checklist, counting who went
-- (turn-outs); each failed item raises a hazard, a ledger record (`hazard`, `hazard_event`,
-- `hazard_person`) whose rectification deadline runs on the step clock. `inspection_stat` is
-- the figures' rollup, written in each change's transaction.
CREATE TABLE inspection_checklist (
    street_id  BLOB NOT NULL,
    code       TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (street_id, code)
);

CREATE TABLE inspection_campaign (
    street_id    BLOB NOT NULL,
    id           BLOB NOT NULL,
    name         TEXT NOT NULL,
    org_path     TEXT NOT NULL,
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    place_kinds  TEXT NOT NULL,
    checklist    TEXT,
    removal      INTEGER NOT NULL,
    targets      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX inspection_campaign_path ON inspection_campaign (org_path, starts_on);

CREATE TABLE inspection_round (
    street_id    BLOB NOT NULL,
    id           BLOB NOT NULL,
    campaign_id  BLOB NOT NULL,
    held_on      TEXT NOT NULL,
    name         TEXT NOT NULL,
    org_path     TEXT NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX inspection_round_campaign ON inspection_round (campaign_id, held_on);

CREATE TABLE inspection (
    street_id    BLOB NOT NULL,
    id           BLOB NOT NULL,
    round_id     BLOB NOT NULL,
    campaign_id  BLOB NOT NULL,
    place_id     BLOB NOT NULL,
    place_kind   TEXT NOT NULL,
    org_path     TEXT NOT NULL,
    at           INTEGER NOT NULL,
    checked_on   TEXT NOT NULL,
    inspector_id BLOB,
    turnouts     INTEGER NOT NULL,
    lon          REAL,
    lat          REAL,
    responses    TEXT NOT NULL,
    failed       INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX inspection_place ON inspection (place_id, at);
CREATE INDEX inspection_path ON inspection (org_path, checked_on);

CREATE TABLE hazard (
    street_id      BLOB NOT NULL,
    id             BLOB NOT NULL,
    number         TEXT NOT NULL,
    state          TEXT NOT NULL,
    org_path       TEXT NOT NULL,
    department_id  BLOB,
    place_id       BLOB NOT NULL,
    place_kind     TEXT NOT NULL,
    campaign_id    BLOB,
    inspection_id  BLOB,
    severity       TEXT NOT NULL,
    found_on       TEXT NOT NULL,
    found_at       INTEGER NOT NULL,
    escalation     TEXT,
    body           TEXT NOT NULL,
    step_timer     TEXT,
    step_warn_at   INTEGER,
    step_deadline  INTEGER,
    step_held      TEXT,
    event_count    INTEGER NOT NULL,
    head_hash      BLOB NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX hazard_number ON hazard (number);
CREATE INDEX hazard_path ON hazard (org_path, found_on);
CREATE INDEX hazard_place ON hazard (place_id, state);

CREATE TABLE hazard_event (
    street_id   BLOB NOT NULL,
    hazard_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    actor_role  TEXT,
    ip          TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (hazard_id, seq)
);

CREATE TABLE hazard_person (
    street_id  BLOB NOT NULL,
    hazard_id  BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    PRIMARY KEY (hazard_id, user_id)
);

-- What a removal campaign removed at a place: a quantity in its unit (处, 平方米, 吨, 家).
CREATE TABLE inspection_removal (
    street_id    BLOB NOT NULL,
    id           BLOB NOT NULL,
    campaign_id  BLOB NOT NULL,
    place_id     BLOB,
    org_path     TEXT NOT NULL,
    done_on      TEXT NOT NULL,
    unit         TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    note         TEXT NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX inspection_removal_campaign ON inspection_removal (campaign_id, unit);

CREATE TABLE inspection_stat (
    street_id    BLOB NOT NULL,
    day          TEXT NOT NULL,
    org_path     TEXT NOT NULL,
    campaign_id  BLOB NOT NULL,
    place_kind   TEXT NOT NULL,
    inspections  INTEGER NOT NULL DEFAULT 0,
    turnouts     INTEGER NOT NULL DEFAULT 0,
    found        INTEGER NOT NULL DEFAULT 0,
    found_major  INTEGER NOT NULL DEFAULT 0,
    rectified    INTEGER NOT NULL DEFAULT 0,
    struck_off   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (street_id, day, org_path, campaign_id, place_kind)
);
