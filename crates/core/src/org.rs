//! The organisation tree (组织架构): its node kinds and the materialised path that scopes queries.
//!
//! Nodes are 市 > 区/县 > 街道/乡镇 > 社区/村 > 网格 > 微网格. Each node's path is its parent's path
//! plus its own code's significant digits, e.g. `/330106/330106008/330106008001/330106008001005/`.
//! Everything under a node shares its path as a prefix, so "within my scope" is a range query.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codes::{GridCode, GridCodeFormat, GridLevel, RegionCode, RegionLevel};

/// The kind of a node of the organisation tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 市 (a city-level deployment spanning districts)
    City,
    /// 区/县
    District,
    /// 街道/乡镇
    Street,
    /// 社区/村
    Community,
    /// 网格
    Grid,
    /// 微网格
    MicroGrid,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::City,
        OrgKind::District,
        OrgKind::Street,
        OrgKind::Community,
        OrgKind::Grid,
        OrgKind::MicroGrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::City => "city",
            OrgKind::District => "district",
            OrgKind::Street => "street",
            OrgKind::Community => "community",
            OrgKind::Grid => "grid",
            OrgKind::MicroGrid => "micro_grid",
        }
    }

    pub fn parse(text: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The locale key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            OrgKind::City => "org_kind.city",
            OrgKind::District => "org_kind.district",
            OrgKind::Street => "org_kind.street",
            OrgKind::Community => "org_kind.community",
            OrgKind::Grid => "org_kind.grid",
            OrgKind::MicroGrid => "org_kind.micro_grid",
        }
    }

    /// The kind a node of this kind hangs under; `None` for the top.
    pub fn parent_kind(self) -> Option<OrgKind> {
        match self {
            OrgKind::City => None,
            OrgKind::District => Some(OrgKind::City),
            OrgKind::Street => Some(OrgKind::District),
            OrgKind::Community => Some(OrgKind::Street),
            OrgKind::Grid => Some(OrgKind::Community),
            OrgKind::MicroGrid => Some(OrgKind::Grid),
        }
    }

    /// Whether this node is drawn as a polygon (网格 and 微网格 must be; others may be).
    pub fn is_grid(self) -> bool {
        matches!(self, OrgKind::Grid | OrgKind::MicroGrid)
    }
}

impl From<RegionLevel> for OrgKind {
    fn from(level: RegionLevel) -> Self {
        match level {
            RegionLevel::Prefecture => OrgKind::City,
            RegionLevel::County => OrgKind::District,
            RegionLevel::Township => OrgKind::Street,
            RegionLevel::Village => OrgKind::Community,
        }
    }
}

/// A node's code: a region code above the grids, a grid code for grids and micro-grids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgCode {
    Region(RegionCode),
    Grid(GridCode, GridLevel),
}

impl OrgCode {
    /// Reads any node code: 12 digits are a region, longer ones a grid or micro-grid.
    pub fn parse(code: &str, format: &GridCodeFormat) -> Result<OrgCode, crate::codes::CodeError> {
        if code.len() <= 12 {
            RegionCode::parse(code).map(OrgCode::Region)
        } else {
            let grid = GridCode::parse(code, format)?;
            let level = grid.level(format);
            Ok(OrgCode::Grid(grid, level))
        }
    }

    pub fn kind(&self) -> OrgKind {
        match self {
            OrgCode::Region(code) => code.level().into(),
            OrgCode::Grid(_, GridLevel::Grid) => OrgKind::Grid,
            OrgCode::Grid(_, GridLevel::MicroGrid) => OrgKind::MicroGrid,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            OrgCode::Region(code) => code.as_str(),
            OrgCode::Grid(code, _) => code.as_str(),
        }
    }

    /// The part of the code that becomes this node's path segment.
    pub fn segment(&self) -> &str {
        match self {
            OrgCode::Region(code) => code.significant(),
            OrgCode::Grid(code, _) => code.as_str(),
        }
    }

    /// The code of the node this one must hang under, as far as the code itself says.
    pub fn parent_code(&self, format: &GridCodeFormat) -> Option<OrgCode> {
        match self {
            OrgCode::Region(code) => code.parent().map(OrgCode::Region),
            OrgCode::Grid(code, GridLevel::Grid) => Some(OrgCode::Region(code.community())),
            OrgCode::Grid(code, GridLevel::MicroGrid) => code
                .parent_grid(format)
                .map(|grid| OrgCode::Grid(grid, GridLevel::Grid)),
        }
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path that is not of the form `/digits/digits/.../`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an organisation path: {0:?}")]
pub struct BadPath(pub String);

/// The materialised path of a node: its ancestors' segments and its own, slash-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a top node.
    pub fn root(code: &OrgCode) -> OrgPath {
        OrgPath(format!("/{}/", code.segment()))
    }

    /// The path of `code` placed under this node.
    pub fn child(&self, code: &OrgCode) -> OrgPath {
        OrgPath(format!("{}{}/", self.0, code.segment()))
    }

    pub fn parse(text: &str) -> Result<OrgPath, BadPath> {
        let well_formed = text.len() > 2
            && text.starts_with('/')
            && text.ends_with('/')
            && text[1..text.len() - 1]
                .split('/')
                .all(|segment| !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Ok(OrgPath(text.to_owned()))
        } else {
            Err(BadPath(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when this node is `ancestor` or lies under it.
    pub fn is_within(&self, ancestor: &OrgPath) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// The half-open range `[low, high)` of every path within this node, for an index range scan
    /// (`path >= low AND path < high`). `/` sorts just below `0`, so bumping the final `/` to `0`
    /// bounds every descendant. Paths compare bytewise: PostgreSQL columns use `COLLATE "C"`.
    pub fn subtree_range(&self) -> (String, String) {
        let mut high = self.0.clone();
        high.pop();
        high.push('0');
        (self.0.clone(), high)
    }

    /// This path and the paths of every node above it, top first.
    pub fn ancestors_and_self(&self) -> Vec<OrgPath> {
        let mut path = String::from("/");
        self.0
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| {
                path.push_str(segment);
                path.push('/');
                OrgPath(path.clone())
            })
            .collect()
    }

    /// The node's own segment: the significant part of its code (`330106008` for a street).
    pub fn segment(&self) -> &str {
        self.0
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
    }

    /// How many levels deep the node is (1 for a top node).
    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }
}

impl fmt::Display for OrgPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrgPath {
    type Error = BadPath;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        OrgPath::parse(&value)
    }
}

impl From<OrgPath> for String {
    fn from(path: OrgPath) -> String {
        path.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region(code: &str) -> OrgCode {
        OrgCode::Region(RegionCode::parse(code).expect("valid"))
    }

    #[test]
    fn paths_are_built_from_significant_digits() {
        let format = GridCodeFormat::default();
        let district = OrgPath::root(&region("330106000000"));
        let street = district.child(&region("330106008000"));
        let community = street.child(&region("330106008001"));
        let grid = community.child(&OrgCode::parse("330106008001005", &format).expect("grid"));
        assert_eq!(
            grid.as_str(),
            "/330106/330106008/330106008001/330106008001005/"
        );
        assert_eq!(grid.depth(), 4);
        let above: Vec<String> = grid
            .ancestors_and_self()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            above,
            [
                "/330106/",
                "/330106/330106008/",
                "/330106/330106008/330106008001/",
                "/330106/330106008/330106008001/330106008001005/"
            ]
        );
        assert!(grid.is_within(&street));
        assert!(!street.is_within(&grid));
        assert_eq!(street.segment(), "330106008");
        assert_eq!(district.segment(), "330106");
    }

    #[test]
    fn codes_know_their_parents() {
        let format = GridCodeFormat::default();
        let micro = OrgCode::parse("33010600800100501", &format).expect("micro");
        assert_eq!(micro.kind(), OrgKind::MicroGrid);
        let grid = micro.parent_code(&format).expect("grid");
        assert_eq!(grid.kind(), OrgKind::Grid);
        let community = grid.parent_code(&format).expect("community");
        assert_eq!(community.as_str(), "330106008001");
        assert_eq!(community.kind(), OrgKind::Community);
    }

    #[test]
    fn malformed_paths_are_refused() {
        for bad in ["", "/", "//", "/33a/", "330106/", "/330106", "/330106//1/"] {
            assert!(OrgPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// The subtree range holds exactly the descendants, compared bytewise as the database does.
        #[test]
        fn subtree_range_matches_prefix(
            base in proptest::collection::vec("[0-9]{1,4}", 1..4),
            other in proptest::collection::vec("[0-9]{1,4}", 1..6),
        ) {
            let path = OrgPath::parse(&format!("/{}/", base.join("/"))).expect("path");
            let candidate = OrgPath::parse(&format!("/{}/", other.join("/"))).expect("path");
            let (low, high) = path.subtree_range();
            let in_range = candidate.as_str() >= low.as_str() && candidate.as_str() < high.as_str();
            prop_assert_eq!(in_range, candidate.is_within(&path));
        }
    }
}
