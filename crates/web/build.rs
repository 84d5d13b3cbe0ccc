//! Front-end packages from npm, embedded in the binary. `frontend/package-lock.json` pins them;
//! when `frontend/node_modules` is missing or older than the lock, `npm ci` installs exactly
//! what it names (no install scripts run). The files pages load are then listed in
//! `$OUT_DIR/vendor.rs` as `include_bytes!`, so the binary serves them under
//! `/static/vendor/…` and nothing is fetched from elsewhere at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (path under `/static/vendor/`, file under `frontend/node_modules/`).
const FILES: &[(&str, &str)] = &[
    ("leaflet.js", "leaflet/dist/leaflet.js"),
    ("leaflet.css", "leaflet/dist/leaflet.css"),
    ("images/layers.png", "leaflet/dist/images/layers.png"),
    ("images/layers-2x.png", "leaflet/dist/images/layers-2x.png"),
    (
        "images/marker-icon.png",
        "leaflet/dist/images/marker-icon.png",
    ),
    (
        "images/marker-icon-2x.png",
        "leaflet/dist/images/marker-icon-2x.png",
    ),
    (
        "images/marker-shadow.png",
        "leaflet/dist/images/marker-shadow.png",
    ),
    (
        "markercluster.js",
        "leaflet.markercluster/dist/leaflet.markercluster.js",
    ),
    (
        "MarkerCluster.css",
        "leaflet.markercluster/dist/MarkerCluster.css",
    ),
    (
        "MarkerCluster.Default.css",
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
    ),
    ("leaflet-heat.js", "leaflet.heat/dist/leaflet-heat.js"),
];

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn main() -> Result<(), String> {
    let frontend = PathBuf::from("frontend");
    let lock = frontend.join("package-lock.json");
    // npm ci writes this file last; it is older than the lock when the lock changed since.
    let installed = frontend.join("node_modules/.package-lock.json");
    println!("cargo::rerun-if-changed={}", lock.display());
    println!(
        "cargo::rerun-if-changed={}",
        frontend.join("package.json").display()
    );
    println!("cargo::rerun-if-changed={}", installed.display());
    let stale = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed < lock,
        _ => true,
    };
    if stale {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let status = Command::new(npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&frontend)
            .status()
            .map_err(|error| {
                format!("jiedao's pages need npm (Node 20) to install their map library: {error}")
            })?;
        if !status.success() {
            return Err(format!("npm ci in crates/web/frontend failed: {status}"));
        }
    }
    let root = std::fs::canonicalize(frontend.join("node_modules"))
        .map_err(|error| format!("crates/web/frontend/node_modules: {error}"))?;
    let mut listed =
        String::from("/// Front-end files from npm: (path under `/static/vendor/`, bytes).\n");
    listed.push_str("pub const FILES: &[(&str, &[u8])] = &[\n");
    for (served, file) in FILES {
        let path = root.join(file);
        if !path.is_file() {
            return Err(format!("{} is missing after npm ci", path.display()));
        }
        listed.push_str(&format!(
            "    ({served:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    listed.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR")?);
    let file = out.join("vendor.rs");
    // Rewritten only when it changes, so a rerun of this script recompiles nothing.
    if std::fs::read_to_string(&file).ok().as_deref() == Some(listed.as_str()) {
        return Ok(());
    }
    std::fs::write(file, listed).map_err(|error| error.to_string())
}
