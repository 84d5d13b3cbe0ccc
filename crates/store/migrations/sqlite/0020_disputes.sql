-- Disputes (矛盾纠纷调解, DOMAIN.md section 6). Kept in step with ../postgres/0020_disputes.sql.
--
-- A dispute's row holds what lists filter on and the dispute as it stands (`body`, JSON: the
-- fold of its history, which `dispute_event` keeps hash-chained); parties are registry persons
-- and enterprises by id (`dispute_party`), so their names stay where erasure reaches them.
-- `dispute_stat` is the rollup of the figures by registration day, place and type, written in
-- each change's transaction. `dispute_kind` is the configurable tree of types.
CREATE TABLE dispute_kind (
    code      TEXT PRIMARY KEY,
    parent    TEXT,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL
);
INSERT INTO dispute_kind (code, parent, name_zh, name_en, position) VALUES
    ('neighbour', NULL, '邻里纠纷', 'Neighbours', 1),
    ('family', NULL, '婚姻家庭纠纷', 'Marriage and family', 2),
    ('family.marriage', 'family', '婚姻纠纷', 'Marriage', 3),
    ('family.support', 'family', '赡养抚养纠纷', 'Support of elders and children', 4),
    ('family.inheritance', 'family', '继承纠纷', 'Inheritance', 5),
    ('property', NULL, '物业纠纷', 'Property management', 6),
    ('labour', NULL, '劳动争议', 'Labour', 7),
    ('traffic', NULL, '交通事故纠纷', 'Traffic accidents', 8),
    ('consumer', NULL, '消费纠纷', 'Consumer', 9),
    ('land', NULL, '土地征收纠纷', 'Land and expropriation', 10),
    ('medical', NULL, '医疗纠纷', 'Medical', 11),
    ('contract', NULL, '合同债务纠纷', 'Contracts and debts', 12),
    ('other', NULL, '其他纠纷', 'Other', 13);

CREATE TABLE dispute (
    street_id      BLOB NOT NULL,
    id             BLOB NOT NULL,
    number         TEXT NOT NULL,
    state          TEXT NOT NULL,
    org_path       TEXT NOT NULL,
    department_id  BLOB,
    kind           TEXT NOT NULL,
    source         TEXT NOT NULL,
    risk           TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL,
    registered_on  TEXT NOT NULL,
    registered_at  INTEGER NOT NULL,
    escalated      INTEGER NOT NULL,
    body           TEXT NOT NULL,
    -- The running clock: the mediation deadline, then the window to apply for confirmation.
    step_timer     TEXT,
    step_warn_at   INTEGER,
    step_deadline  INTEGER,
    step_held      TEXT,
    event_count    INTEGER NOT NULL,
    head_hash      BLOB NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX dispute_number ON dispute (number);
CREATE INDEX dispute_path ON dispute (org_path, registered_on);
CREATE INDEX dispute_registered ON dispute (registered_on);

CREATE TABLE dispute_event (
    street_id   BLOB NOT NULL,
    dispute_id  BLOB NOT NULL,
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
    PRIMARY KEY (dispute_id, seq)
);

-- The accounts a dispute belongs to (the kernel's people table; parties with an account).
CREATE TABLE dispute_person (
    street_id   BLOB NOT NULL,
    dispute_id  BLOB NOT NULL,
    user_id     BLOB NOT NULL,
    PRIMARY KEY (dispute_id, user_id)
);

CREATE TABLE dispute_party (
    street_id   BLOB NOT NULL,
    dispute_id  BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    -- person or enterprise (the registry's), and the party's role
    party_kind  TEXT NOT NULL,
    party_id    BLOB NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (dispute_id, seq)
);
CREATE INDEX dispute_party_of ON dispute_party (party_id);

CREATE TABLE dispute_stat (
    street_id        BLOB NOT NULL,
    day              TEXT NOT NULL,
    org_path         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    taken            INTEGER NOT NULL DEFAULT 0,
    settled          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    amount_fen       INTEGER NOT NULL DEFAULT 0,
    terms_followed   INTEGER NOT NULL DEFAULT 0,
    terms_performed  INTEGER NOT NULL DEFAULT 0,
    criminal         INTEGER NOT NULL DEFAULT 0,
    high_risk        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (street_id, day, org_path, kind)
);
