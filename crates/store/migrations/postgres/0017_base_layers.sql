-- Offline base layers (底图): roads, buildings, water and 部件 points an office uploads as
-- GeoJSON, drawn under the grids when no tile server is configured or reachable. Like the
-- organisation's boundaries they are reference data (a river crosses streets; under Citus a
-- reference table), so the table is keyed by its id alone; org_path is the unit whose
-- administrator uploaded it, and only administrators reaching that unit may remove it.
CREATE TABLE base_layer (
    id          UUID PRIMARY KEY,
    org_path    TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    -- roads, buildings, water, components, other
    kind        TEXT NOT NULL,
    features    BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    min_lon     DOUBLE PRECISION NOT NULL,
    min_lat     DOUBLE PRECISION NOT NULL,
    max_lon     DOUBLE PRECISION NOT NULL,
    max_lat     DOUBLE PRECISION NOT NULL,
    -- The FeatureCollection as uploaded (checked, never rewritten).
    geojson     TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX base_layer_path ON base_layer (org_path);
