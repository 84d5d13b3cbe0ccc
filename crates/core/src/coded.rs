//! `coded!`: a small closed list of codes (a dispute's source, a hazard's severity, a
//! petition's channel…) declared once with its stored text, its parsing and its locale key, so
//! every domain's enums read, store and translate the same way.

/// Declares an enum whose variants are stored as `$code`, parsed from that text (surrounding
/// blanks ignored), and named by the locale key `$prefix` followed by the code.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident, $prefix:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text.trim())
            }

            /// The locale key of its name.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, $code)),+ }
            }
        }
    };
}
pub(crate) use coded;
