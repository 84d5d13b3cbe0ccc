-- Offline base layers (底图): roads, buildings, water and 部件 points an office uploads as
-- GeoJSON, drawn under the grids when no tile server is configured or reachable. Like the
-- organisation's boundaries they are reference data (a river crosses streets), so the table is
-- keyed by its id alone; org_path is the unit whose administrator uploaded it, and only
-- administrators reaching that unit may remove it.
CREATE TABLE base_layer (
    id          BLOB PRIMARY KEY,
    org_path    TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- roads, buildings, water, components, other
    kind        TEXT NOT NULL,
    features    INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    min_lon     REAL NOT NULL,
    min_lat     REAL NOT NULL,
    max_lon     REAL NOT NULL,
    max_lat     REAL NOT NULL,
    -- The FeatureCollection as uploaded (checked, never rewritten).
    geojson     TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX base_layer_path ON base_layer (org_path);
