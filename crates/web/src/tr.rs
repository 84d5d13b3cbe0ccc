//! Translation for templates: `{{ tr.t("key") }}` in the reader's language.

use jiedao_core::i18n::{self, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        i18n::text(self.0, key)
    }

    /// A message with `{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, String)]) -> String {
        i18n::format(self.0, key, args)
    }

    /// The message split around one placeholder, so a template can mark what goes between
    /// (user data, a link) while everything stays escaped.
    pub fn around<'k>(&self, key: &'k str, placeholder: &str) -> (&'k str, &'k str) {
        let message = self.t(key);
        message
            .split_once(&format!("{{{placeholder}}}"))
            .unwrap_or((message, ""))
    }

    pub fn lang(&self) -> Lang {
        self.0
    }

    pub fn tag(&self) -> &'static str {
        self.0.tag()
    }
}
