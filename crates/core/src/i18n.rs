//! Translations: zh-CN first, English second.
//!
//! Every string a person reads lives in `locales/<lang>.toml` at the workspace root; code refers
//! to it by a dotted key. Errors that reach people implement [`Localized`], so the same error is
//! written in the reader's language by the web pages and the command line alike.

use std::collections::HashMap;
use std::sync::OnceLock;

static ZH_CN: &str = include_str!("../../../locales/zh-CN.toml");
static EN: &str = include_str!("../../../locales/en.toml");

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag used in `lang` attributes, cookies and the locale file name.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a tag loosely: `zh`, `zh-CN`, `zh-Hans`, `en`, `en-US`... Unknown tags give `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, else the default.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut offers: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((quality, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0));
        offers.first().map(|(_, lang)| *lang).unwrap_or_default()
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            toml::Value::String(text) => {
                out.insert(key, text.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn parse_catalog(source: &str) -> HashMap<String, String> {
    let mut messages = HashMap::new();
    // The locale files are compiled in and checked by tests; a broken file shows keys, not a crash.
    if let Ok(table) = source.parse::<toml::Table>() {
        flatten("", &table, &mut messages);
    }
    messages
}

/// All messages of one language, keyed by dotted name.
pub fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static ZH: OnceLock<HashMap<String, String>> = OnceLock::new();
    static ENGLISH: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::ZhCn => ZH.get_or_init(|| parse_catalog(ZH_CN)),
        Lang::En => ENGLISH.get_or_init(|| parse_catalog(EN)),
    }
}

/// The message for `key`; a missing key comes back as the key itself so tests can find it.
pub fn text(lang: Lang, key: &str) -> &str {
    match catalog(lang).get(key) {
        Some(message) => message.as_str(),
        None => key,
    }
}

/// The message for `key` with `{name}` placeholders filled from `args`.
pub fn format(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut message = text(lang, key).to_owned();
    for (name, value) in args {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// An error or notice that people read: it names its message and the values to fill in.
pub trait Localized {
    fn message_key(&self) -> &'static str;

    /// The values to fill in; `lang` lets an argument that is itself a name be translated.
    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The whole message in `lang`.
    fn localize(&self, lang: Lang) -> String {
        format(lang, self.message_key(), &self.message_args(lang))
    }
}

/// A message written out in every language, to be kept and read later in the reader's own (a
/// background job's outcome, read by whoever started it).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Translated {
    zh_cn: String,
    en: String,
}

impl Translated {
    pub fn of(message: &impl Localized) -> Translated {
        Translated {
            zh_cn: message.localize(Lang::ZhCn),
            en: message.localize(Lang::En),
        }
    }

    /// The message under `key` without arguments.
    pub fn key(key: &str) -> Translated {
        Translated {
            zh_cn: text(Lang::ZhCn, key).to_owned(),
            en: text(Lang::En, key).to_owned(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_locales_parse_and_have_the_same_keys() {
        let zh: BTreeSet<_> = catalog(Lang::ZhCn).keys().collect();
        let en: BTreeSet<_> = catalog(Lang::En).keys().collect();
        assert!(zh.len() > 20, "zh-CN catalogue looks empty: {}", zh.len());
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "keys missing in en: {only_zh:?}");
        assert!(only_en.is_empty(), "keys missing in zh-CN: {only_en:?}");
    }

    #[test]
    fn english_messages_hold_no_chinese() {
        for (key, message) in catalog(Lang::En) {
            assert!(
                !message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "en message {key} holds Chinese: {message}"
            );
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        let names = |m: &str| -> BTreeSet<String> {
            m.split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect()
        };
        for (key, zh) in catalog(Lang::ZhCn) {
            let en = text(Lang::En, key);
            assert_eq!(names(zh), names(en), "placeholders differ for {key}");
        }
    }

    #[test]
    fn accept_language_prefers_the_highest_quality_supported_tag() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-CN;q=0.5"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language("zh;q=0.2, en;q=0.7"), Lang::En);
    }

    #[test]
    fn missing_keys_come_back_as_themselves() {
        assert_eq!(text(Lang::ZhCn, "no.such.key"), "no.such.key");
    }
}
