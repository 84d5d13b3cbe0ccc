//! The features, each a folder that owns its pages, its API operations and its templates,
//! and registers them once in its `routes()`. [`all`] lists them: a new domain adds its folder,
//! its `mod` line here and one line in `all`; nothing else in the crate changes.
//!
//! A feature's routes come in two kinds, because they sit behind different middleware:
//! pages (the request context with session and language, failure pages, the CSRF check) and
//! machine routes (bearer tokens, JSON errors, no cookies). API operations are declared with
//! `utoipa_axum::routes!`, so a path is written once and lands in the router and the OpenAPI
//! document together.

pub mod admin;
pub mod apidocs;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod disputes;
pub mod economy;
pub mod home;
pub mod hotline;
pub mod maps;
pub mod org;
pub mod petitions;
pub mod public;
pub mod registry;
pub mod stats;
pub mod users;
pub mod visits;
pub mod wall;
pub mod webhooks;

use axum::Router;
use axum::routing::MethodRouter;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;

/// What one feature serves.
pub struct Routes {
    /// Pages, behind the session, failure pages and CSRF.
    pub pages: Router<AppState>,
    /// Routes for other systems, behind security headers only; those declared with
    /// [`Routes::api`] are described in the OpenAPI document.
    pub machines: OpenApiRouter<AppState>,
    /// Every path routed, as written (`/cases/{id}`); a prefix whose routes answer for
    /// themselves is listed as `prefix/*`. The authorization table test walks these.
    pub paths: Vec<String>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            pages: Router::new(),
            machines: OpenApiRouter::new(),
            paths: Vec::new(),
        }
    }
}

impl Routes {
    /// A page (or a form's target) at `path`.
    pub fn page(mut self, path: &str, handlers: MethodRouter<AppState>) -> Routes {
        self.pages = self.pages.route(path, handlers);
        self.paths.push(path.to_owned());
        self
    }

    /// API operations of one path, from `utoipa_axum::routes!`: routed and documented at once.
    pub fn api(mut self, operations: UtoipaMethodRouter<AppState>) -> Routes {
        self.paths.extend(operations.1.paths.keys().cloned());
        self.machines = self.machines.routes(operations);
        self
    }

    /// A route for other systems that the OpenAPI document does not describe (Open311, the
    /// document itself).
    pub fn machine(mut self, path: &str, handlers: MethodRouter<AppState>) -> Routes {
        self.machines = self.machines.route(path, handlers);
        self.paths.push(path.to_owned());
        self
    }

    /// Routes for other systems under `prefix`, which answer for themselves any path under it
    /// that matches none of them (Open311's errors format).
    pub fn machines_under(mut self, prefix: &str, routes: OpenApiRouter<AppState>) -> Routes {
        self.machines = self.machines.nest(prefix, routes);
        self.paths.push(format!("{prefix}/*"));
        self
    }

    fn merge(mut self, mut other: Routes) -> Routes {
        self.pages = self.pages.merge(other.pages);
        self.machines = self.machines.merge(other.machines);
        self.paths.append(&mut other.paths);
        self
    }
}

/// Every feature's routes, merged: the one list a new domain joins.
pub fn all() -> Routes {
    [
        auth::routes(),
        home::routes(),
        users::routes(),
        wall::routes(),
        org::routes(),
        audit::routes(),
        cases::routes(),
        maps::routes(),
        public::routes(),
        stats::routes(),
        admin::routes(),
        webhooks::routes(),
        hotline::routes(),
        visits::routes(),
        registry::routes(),
        petitions::routes(),
        disputes::routes(),
        economy::routes(),
        apidocs::routes(),
        crate::open311::routes(),
        crate::assets::routes(),
    ]
    .into_iter()
    .fold(Routes::default(), Routes::merge)
}
