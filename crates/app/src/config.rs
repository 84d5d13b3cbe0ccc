//! Configuration: built-in defaults, then a TOML file (`--config` or `JIEDAO_CONFIG`), then
//! `JIEDAO_*` environment variables, then command-line flags; each later source wins.

use std::path::Path;

use anyhow::{Context, bail};
use jiedao_core::{GridCodeFormat, Localized};
use jiedao_store::privacy::DataKey;
use jiedao_store::{Durability, StoreConfig};
use jiedao_web::WebConfig;
use serde::Deserialize;

use crate::cli::say;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://user@host/db`
    pub database: String,
    /// Address to listen on.
    pub bind: String,
    /// Where uploaded photos and files are kept.
    pub files: std::path::PathBuf,
    pub web: WebSection,
    pub store: StoreSection,
    pub codes: CodesSection,
    pub map: MapSection,
}

/// The online base map (optional): without `tiles`, maps draw the base layers the office
/// uploaded. 天地图's vector map, for example:
/// `tiles = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=YOUR_KEY"`,
/// `subdomains = "01234567"`, `labels` the same with `cva` for `vec`, `attribution = "天地图"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapSection {
    /// XYZ or WMTS tile address with `{z}`, `{x}`, `{y}` (`{s}` for a subdomain).
    pub tiles: Option<String>,
    pub subdomains: String,
    pub attribution: String,
    /// A transparent layer of names drawn over the tiles.
    pub labels: Option<String>,
    pub max_zoom: u8,
}

impl Default for MapSection {
    fn default() -> Self {
        MapSection {
            tiles: None,
            subdomains: "abc".into(),
            attribution: String::new(),
            labels: None,
            max_zoom: 18,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSection {
    pub cookie_secure: bool,
    pub trust_proxy: bool,
    pub api_per_minute: u32,
    pub public_per_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSection {
    pub durability: Durability,
    pub readers: usize,
    pub max_batch: usize,
    pub session_hours: i64,
    /// A PostgreSQL schema to work in, created if missing (several deployments, or test runs,
    /// sharing one database).
    pub pg_schema: Option<String>,
    /// The file holding the key phone numbers are sealed with (32 hex digits), made on first
    /// use. By default `<database file>.key` beside a SQLite database, `jiedao-data.key` in
    /// the working directory for PostgreSQL. Back it up apart from the database.
    pub data_key_file: Option<std::path::PathBuf>,
    /// Which receivers webhooks may reach: `public` (default), `private` (also the office's
    /// own network), `local` (also this machine, e.g. a TLS proxy).
    pub webhook_reach: jiedao_store::webhooks::WebhookReach,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodesSection {
    pub grid_digits: usize,
    pub micro_grid_digits: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "sqlite://jiedao.db".into(),
            bind: "127.0.0.1:8080".into(),
            files: StoreConfig::new("").files_dir,
            web: WebSection::default(),
            store: StoreSection::default(),
            codes: CodesSection::default(),
            map: MapSection::default(),
        }
    }
}

impl Default for WebSection {
    fn default() -> Self {
        let web = WebConfig::default();
        WebSection {
            cookie_secure: web.cookie_secure,
            trust_proxy: web.trust_proxy,
            api_per_minute: web.api_per_minute,
            public_per_minute: web.public_per_minute,
        }
    }
}

impl Default for StoreSection {
    fn default() -> Self {
        let store = StoreConfig::new("");
        StoreSection {
            durability: store.durability,
            readers: store.readers,
            max_batch: store.max_batch,
            session_hours: store.session_hours,
            pg_schema: store.pg_schema,
            data_key_file: None,
            webhook_reach: store.webhook_reach,
        }
    }
}

impl Default for CodesSection {
    fn default() -> Self {
        let format = GridCodeFormat::default();
        CodesSection {
            grid_digits: format.grid_digits,
            micro_grid_digits: format.micro_grid_digits,
        }
    }
}

/// "JIEDAO_READERS=\"x\" is not a whole number", in the operator's language.
fn not_a_number(name: &str, value: &str) -> String {
    say(
        "cli.config_not_a_number",
        &[("name", name.to_owned()), ("value", format!("{value:?}"))],
    )
}

fn parse_bool(name: &str, value: &str) -> anyhow::Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => bail!(say(
            "cli.config_not_yes_no",
            &[("name", name.to_owned()), ("value", format!("{other:?}"))]
        )),
    }
}

impl Config {
    /// Reads the file (if any) over the defaults, then the environment over that.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env("JIEDAO_CONFIG").map(Into::into));
        let mut config = match file {
            Some(path) => {
                let file = || path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .with_context(|| say("cli.config_unreadable", &[("file", file())]))?;
                toml::from_str(&text)
                    .with_context(|| say("cli.config_wrong", &[("file", file())]))?
            }
            None => Config::default(),
        };
        if let Some(value) = env("JIEDAO_DATABASE") {
            config.database = value;
        }
        if let Some(value) = env("JIEDAO_BIND") {
            config.bind = value;
        }
        if let Some(value) = env("JIEDAO_FILES") {
            config.files = value.into();
        }
        if let Some(value) = env("JIEDAO_COOKIE_SECURE") {
            config.web.cookie_secure = parse_bool("JIEDAO_COOKIE_SECURE", &value)?;
        }
        if let Some(value) = env("JIEDAO_TRUST_PROXY") {
            config.web.trust_proxy = parse_bool("JIEDAO_TRUST_PROXY", &value)?;
        }
        if let Some(value) = env("JIEDAO_API_PER_MINUTE") {
            config.web.api_per_minute = value
                .parse()
                .with_context(|| not_a_number("JIEDAO_API_PER_MINUTE", &value))?;
        }
        if let Some(value) = env("JIEDAO_PUBLIC_PER_MINUTE") {
            config.web.public_per_minute = value
                .parse()
                .with_context(|| format!("JIEDAO_PUBLIC_PER_MINUTE={value:?}: a whole number"))?;
        }
        if let Some(value) = env("JIEDAO_DATA_KEY_FILE") {
            config.store.data_key_file = Some(value.into());
        }
        if let Some(value) = env("JIEDAO_PG_SCHEMA") {
            config.store.pg_schema = Some(value);
        }
        if let Some(value) = env("JIEDAO_DURABILITY") {
            config.store.durability =
                toml::Value::String(value.clone())
                    .try_into()
                    .with_context(|| {
                        say("cli.config_durability", &[("value", format!("{value:?}"))])
                    })?;
        }
        if let Some(value) = env("JIEDAO_READERS") {
            config.store.readers = value
                .parse()
                .with_context(|| not_a_number("JIEDAO_READERS", &value))?;
        }
        if let Some(value) = env("JIEDAO_MAP_TILES") {
            config.map.tiles = Some(value).filter(|v| !v.trim().is_empty());
        }
        if let Some(value) = env("JIEDAO_MAP_SUBDOMAINS") {
            config.map.subdomains = value;
        }
        if let Some(value) = env("JIEDAO_MAP_ATTRIBUTION") {
            config.map.attribution = value;
        }
        if let Some(value) = env("JIEDAO_MAP_LABELS") {
            config.map.labels = Some(value).filter(|v| !v.trim().is_empty());
        }
        if let Some(value) = env("JIEDAO_GRID_DIGITS") {
            config.codes.grid_digits = value
                .parse()
                .with_context(|| not_a_number("JIEDAO_GRID_DIGITS", &value))?;
        }
        Ok(config)
    }

    pub fn grid_format(&self) -> anyhow::Result<GridCodeFormat> {
        GridCodeFormat::new(self.codes.grid_digits, self.codes.micro_grid_digits).map_err(|error| {
            anyhow::anyhow!(say(
                "cli.config_codes",
                &[("error", error.localize(crate::cli::operator_lang()))]
            ))
        })
    }

    pub fn store_config(&self) -> anyhow::Result<StoreConfig> {
        let mut store = StoreConfig::new(self.database.clone());
        store.durability = self.store.durability;
        store.webhook_reach = self.store.webhook_reach;
        store.readers = self.store.readers.max(1);
        store.max_batch = self.store.max_batch.max(1);
        store.session_hours = self.store.session_hours.max(1);
        store.grid_format = self.grid_format()?;
        store.files_dir = self.files.clone();
        store.pg_schema = self.store.pg_schema.clone();
        store.data_key = Some(std::sync::Arc::new(self.data_key()?));
        Ok(store)
    }

    /// Where the data key is kept.
    pub fn data_key_path(&self) -> std::path::PathBuf {
        if let Some(path) = &self.store.data_key_file {
            return path.clone();
        }
        match self.database.parse::<jiedao_store::Location>() {
            Ok(jiedao_store::Location::Sqlite(file)) => {
                let mut name = file.into_os_string();
                name.push(".key");
                name.into()
            }
            _ => "jiedao-data.key".into(),
        }
    }

    /// The data key from its file, made (readable by this user only) when there is none.
    fn data_key(&self) -> anyhow::Result<DataKey> {
        let path = self.data_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => DataKey::from_hex(&text)
                .with_context(|| say("cli.data_key_bad", &[("file", path.display().to_string())])),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = DataKey::random()?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&path).with_context(|| {
                    say(
                        "cli.data_key_making",
                        &[("file", path.display().to_string())],
                    )
                })?;
                std::io::Write::write_all(&mut file, format!("{}\n", key.to_hex()).as_bytes())?;
                file.sync_all()?;
                tracing::warn!(
                    path = %path.display(),
                    "made a new data key for personal data; back it up apart from the database"
                );
                Ok(key)
            }
            Err(error) => Err(error).with_context(|| {
                say(
                    "cli.data_key_unreadable",
                    &[("file", path.display().to_string())],
                )
            }),
        }
    }

    pub fn web_config(&self) -> WebConfig {
        WebConfig {
            cookie_secure: self.web.cookie_secure,
            trust_proxy: self.web.trust_proxy,
            api_per_minute: self.web.api_per_minute,
            public_per_minute: self.web.public_per_minute,
            tiles: self
                .map
                .tiles
                .clone()
                .map(|url| jiedao_web::widgets::webmap::TileConfig {
                    url,
                    subdomains: self.map.subdomains.clone(),
                    attribution: self.map.attribution.clone(),
                    labels: self.map.labels.clone(),
                    max_zoom: self.map.max_zoom,
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_environment_wins_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("jiedao.toml");
        std::fs::write(
            &file,
            "database = \"postgres://db/jiedao\"\nbind = \"0.0.0.0:80\"\n[web]\ntrust_proxy = true\n[codes]\ngrid_digits = 4\n",
        )
        .expect("write");
        let env: HashMap<&str, &str> = [
            ("JIEDAO_BIND", "127.0.0.1:9000"),
            ("JIEDAO_COOKIE_SECURE", "no"),
        ]
        .into();
        let config =
            Config::load(Some(&file), |name| env.get(name).map(|v| (*v).to_owned())).expect("load");
        assert_eq!(config.database, "postgres://db/jiedao");
        assert_eq!(config.bind, "127.0.0.1:9000");
        assert!(config.web.trust_proxy);
        assert!(!config.web.cookie_secure);
        assert_eq!(config.grid_format().expect("format").grid_digits, 4);
        assert_eq!(config.store.durability, Durability::Full);
    }

    #[test]
    fn the_tile_server_comes_from_the_file_or_the_environment() {
        assert_eq!(
            Config::default().web_config().tiles,
            None,
            "none by default"
        );
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("jiedao.toml");
        std::fs::write(
            &file,
            "[map]\ntiles = \"https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&tk=K\"\nsubdomains = \"01234567\"\nattribution = \"天地图\"\n",
        )
        .expect("write");
        let tiles = Config::load(Some(&file), |_| None)
            .expect("load")
            .web_config()
            .tiles
            .expect("tiles");
        assert_eq!(tiles.subdomains, "01234567");
        assert_eq!(tiles.attribution, "天地图");
        assert_eq!(tiles.max_zoom, 18);
        let env: HashMap<&str, &str> = [
            (
                "JIEDAO_MAP_TILES",
                "http://tiles.office.lan/{z}/{x}/{y}.png",
            ),
            ("JIEDAO_MAP_LABELS", ""),
        ]
        .into();
        let tiles = Config::load(Some(&file), |name| env.get(name).map(|v| (*v).to_owned()))
            .expect("load")
            .web_config()
            .tiles
            .expect("tiles");
        assert_eq!(tiles.url, "http://tiles.office.lan/{z}/{x}/{y}.png");
        assert_eq!(tiles.labels, None, "an empty value is none");
    }

    #[test]
    fn unknown_settings_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("jiedao.toml");
        std::fs::write(&file, "databse = \"typo\"\n").expect("write");
        let error = Config::load(Some(&file), |_| None).expect_err("typo");
        assert!(format!("{error:#}").contains("databse"), "{error:#}");
        let error = Config::load(None, |name| {
            (name == "JIEDAO_READERS").then(|| "many".into())
        })
        .expect_err("bad number");
        assert!(format!("{error:#}").contains("JIEDAO_READERS"));
    }
}
