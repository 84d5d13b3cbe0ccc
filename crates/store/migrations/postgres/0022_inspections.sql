-- Inspections and hazards (排查整治, DOMAIN.md section 8). Kept in step with
-- ../sqlite/0022_inspections.sql.
--
-- A campaign (专项行动) has a scope (org_path), place kinds, a checklist and, for removal
-- campaigns (三改一拆, 清理积水…), targets per unit; rounds are its outings (周三夜查, 零点行动).
-- An inspection checks one registry place against the checklist, counting who went
-- (turn-outs); each failed item raises a hazard, a ledger record (`hazard`, `hazard_event`,
-- `hazard_person`) whose rectification deadline runs on the step clock. `inspection_stat` is
-- the figures' rollup, written in each change's transaction.
CREATE TABLE inspection_checklist (
    street_id  UUID NOT NULL,
    code       TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (street_id, code)
);

CREATE TABLE inspection_campaign (
    street_id    UUID NOT NULL,
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    starts_on    DATE NOT NULL,
    ends_on      DATE NOT NULL,
    place_kinds  TEXT NOT NULL,
    checklist    TEXT,
    removal      BOOLEAN NOT NULL,
    targets      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX inspection_campaign_path ON inspection_campaign (street_id, org_path, starts_on);

CREATE TABLE inspection_round (
    street_id    UUID NOT NULL,
    id           UUID NOT NULL,
    campaign_id  UUID NOT NULL,
    held_on      DATE NOT NULL,
    name         TEXT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX inspection_round_campaign ON inspection_round (street_id, campaign_id, held_on);

CREATE TABLE inspection (
    street_id    UUID NOT NULL,
    id           UUID NOT NULL,
    round_id     UUID NOT NULL,
    campaign_id  UUID NOT NULL,
    place_id     UUID NOT NULL,
    place_kind   TEXT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    checked_on   DATE NOT NULL,
    inspector_id UUID,
    turnouts     BIGINT NOT NULL,
    lon          DOUBLE PRECISION,
    lat          DOUBLE PRECISION,
    responses    TEXT NOT NULL,
    failed       BIGINT NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX inspection_place ON inspection (street_id, place_id, at);
CREATE INDEX inspection_path ON inspection (street_id, org_path, checked_on);

CREATE TABLE hazard (
    street_id      UUID NOT NULL,
    id             UUID NOT NULL,
    number         TEXT NOT NULL,
    state          TEXT NOT NULL,
    org_path       TEXT COLLATE "C" NOT NULL,
    department_id  UUID,
    place_id       UUID NOT NULL,
    place_kind     TEXT NOT NULL,
    campaign_id    UUID,
    inspection_id  UUID,
    severity       TEXT NOT NULL,
    found_on       DATE NOT NULL,
    found_at       TIMESTAMPTZ NOT NULL,
    escalation     TEXT,
    body           TEXT NOT NULL,
    step_timer     TEXT,
    step_warn_at   TIMESTAMPTZ,
    step_deadline  TIMESTAMPTZ,
    step_held      TEXT,
    event_count    BIGINT NOT NULL,
    head_hash      BYTEA NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE UNIQUE INDEX hazard_number ON hazard (street_id, number);
CREATE INDEX hazard_path ON hazard (street_id, org_path, found_on);
CREATE INDEX hazard_place ON hazard (street_id, place_id, state);

CREATE TABLE hazard_event (
    street_id   UUID NOT NULL,
    hazard_id   UUID NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    action      TEXT NOT NULL,
    actor_id    UUID,
    actor       TEXT NOT NULL,
    actor_role  TEXT,
    ip          TEXT,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    change      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL,
    PRIMARY KEY (street_id, hazard_id, seq)
);

CREATE TABLE hazard_person (
    street_id  UUID NOT NULL,
    hazard_id  UUID NOT NULL,
    user_id    UUID NOT NULL,
    PRIMARY KEY (street_id, hazard_id, user_id)
);

-- What a removal campaign removed at a place: a quantity in its unit (处, 平方米, 吨, 家).
CREATE TABLE inspection_removal (
    street_id    UUID NOT NULL,
    id           UUID NOT NULL,
    campaign_id  UUID NOT NULL,
    place_id     UUID,
    org_path     TEXT COLLATE "C" NOT NULL,
    done_on      DATE NOT NULL,
    unit         TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    note         TEXT NOT NULL,
    PRIMARY KEY (street_id, id)
);
CREATE INDEX inspection_removal_campaign ON inspection_removal (street_id, campaign_id, unit);

CREATE TABLE inspection_stat (
    street_id    UUID NOT NULL,
    day          DATE NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    campaign_id  UUID NOT NULL,
    place_kind   TEXT NOT NULL,
    inspections  BIGINT NOT NULL DEFAULT 0,
    turnouts     BIGINT NOT NULL DEFAULT 0,
    found        BIGINT NOT NULL DEFAULT 0,
    found_major  BIGINT NOT NULL DEFAULT 0,
    rectified    BIGINT NOT NULL DEFAULT 0,
    struck_off   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (street_id, day, org_path, campaign_id, place_kind)
);
