-- Keys as in 0002: SQLite keys by the row's own id; PostgreSQL puts street_id first.
-- The registry (人房企物, DOMAIN.md section 9): places (小区 > building > unit > room, and the
-- office buildings 楼宇), persons with their documents and phones sealed, who lived where and
-- who rented what over time, enterprises, components (部件), person tags, tax per year, links
-- from cases, and one hash-chained history of every change to any of them.
CREATE TABLE registry_place (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    -- estate (小区), building (楼幢 / 楼宇), unit (单元), room (房屋)
    kind        TEXT NOT NULL,
    parent_id   BLOB,
    org_unit_id BLOB NOT NULL REFERENCES org_unit (id),
    org_path    TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- The whole address, from the community down (searched by prefix).
    address     TEXT NOT NULL,
    lon         REAL,
    lat         REAL,
    floors      INTEGER,
    area_m2     REAL,
    -- 楼宇: an office building whose tax is followed.
    commercial  INTEGER NOT NULL,
    rented      INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX registry_place_path ON registry_place (org_path, kind);
CREATE INDEX registry_place_parent ON registry_place (parent_id);
CREATE INDEX registry_place_address ON registry_place (address);

CREATE TABLE registry_person (
    street_id     BLOB NOT NULL,
    id            BLOB NOT NULL,
    org_path      TEXT NOT NULL,
    name          TEXT NOT NULL,
    document_kind TEXT NOT NULL,
    -- SM4-GCM sealed (privacy), and the keyed blind index exact look-up uses.
    document      TEXT,
    document_index TEXT,
    document_masked TEXT NOT NULL,
    phone         TEXT,
    phone_index   TEXT,
    phone_masked  TEXT,
    sex           TEXT,
    birth_date    TEXT,
    house_id      BLOB,
    household     TEXT,
    state         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    event_count   INTEGER NOT NULL,
    head_hash     BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX registry_person_name ON registry_person (name, id);
CREATE INDEX registry_person_document ON registry_person (document_index);
CREATE INDEX registry_person_phone ON registry_person (phone_index);
CREATE INDEX registry_person_path ON registry_person (org_path);
CREATE INDEX registry_person_house ON registry_person (house_id);

-- Who lived in or rented what, and from when to when: never overwritten, only ended.
CREATE TABLE registry_occupancy (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    person_id   BLOB NOT NULL,
    place_id    BLOB NOT NULL,
    -- resident (居住), owner (产权人), landlord (出租人), tenant (承租人)
    role        TEXT NOT NULL,
    from_day    TEXT NOT NULL,
    to_day      TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX registry_occupancy_person ON registry_occupancy (person_id, from_day);
CREATE INDEX registry_occupancy_place ON registry_occupancy (place_id, from_day);

CREATE TABLE registry_tag (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    person_id   BLOB NOT NULL,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT,
    restricted  INTEGER NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX registry_tag_person ON registry_tag (person_id);

CREATE TABLE registry_enterprise (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    org_path    TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    industry    TEXT NOT NULL,
    capital_fen INTEGER NOT NULL,
    building_id BLOB,
    floor       INTEGER,
    moved_in    TEXT,
    moved_out   TEXT,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX registry_enterprise_code ON registry_enterprise (credit_code);
CREATE INDEX registry_enterprise_name ON registry_enterprise (name);
CREATE INDEX registry_enterprise_building ON registry_enterprise (building_id);

-- Tax paid in a year by a building (楼宇) or an enterprise, in fen.
CREATE TABLE registry_tax (
    street_id   BLOB NOT NULL,
    owner_id    BLOB NOT NULL,
    year        INTEGER NOT NULL,
    tax_fen     INTEGER NOT NULL,
    PRIMARY KEY (street_id, owner_id, year)
);

CREATE TABLE registry_component (
    street_id   BLOB NOT NULL,
    id          BLOB NOT NULL,
    org_path    TEXT NOT NULL,
    -- The GB/T 30428.2 class (the component categories' code).
    class_code  TEXT NOT NULL,
    name        TEXT NOT NULL,
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    owner       TEXT NOT NULL,
    maintainer  TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX registry_component_path ON registry_component (org_path, class_code);

-- A case (later a dispute, petition, hazard) naming a person, place or component.
CREATE TABLE registry_link (
    street_id   BLOB NOT NULL,
    case_id     BLOB NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   BLOB NOT NULL,
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (case_id, record_id)
);
CREATE INDEX registry_link_record ON registry_link (record_id);

-- A resident's account and the person it is (for their own data export and erasure).
CREATE TABLE registry_account (
    street_id   BLOB NOT NULL,
    record_id   BLOB NOT NULL,
    user_id     BLOB NOT NULL,
    PRIMARY KEY (record_id, user_id)
);

-- Every change to any registry record, chained (the ledger kernel's history).
CREATE TABLE registry_event (
    street_id   BLOB NOT NULL,
    record_id   BLOB NOT NULL,
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
    PRIMARY KEY (record_id, seq)
);
