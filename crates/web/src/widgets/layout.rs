//! The frame around every page: title, the user's badge, navigation for their role, the
//! language switch and the logout form.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use jiedao_core::{Capability, Lang, Localized, RefusalKind};
use jiedao_store::Refusal;

use crate::context::Ctx;
use crate::failure::Failure;
use crate::tr::Tr;

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct Badge {
    pub display_name: String,
    pub role: &'static str,
}

/// Everything the base template needs besides the page's own content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    /// The title is a record's name (user data) rather than interface text.
    pub title_is_data: bool,
    pub user: Option<Badge>,
    pub csrf_token: String,
    pub nav: Vec<NavLink>,
    /// The other language: its switch link, its name (in itself) and its tag.
    pub other_lang_href: &'static str,
    pub other_lang_name: &'static str,
    pub other_lang_tag: &'static str,
}

impl Chrome {
    pub fn new(ctx: &Ctx, title: impl Into<String>) -> Chrome {
        let tr = ctx.tr();
        let mut nav = Vec::new();
        let user = ctx.principal().map(|principal| {
            let role = principal.role();
            let mut links: Vec<(&'static str, &'static str)> = vec![("/home", "nav.home")];
            if role.can(Capability::ViewInbox) {
                // A resident's to-do list is their own reports.
                let inbox = if role == jiedao_core::Role::Resident {
                    "nav.my_reports"
                } else {
                    "nav.inbox"
                };
                links.push(("/inbox", inbox));
            }
            if role.can(Capability::ViewCases) {
                links.push(("/dashboard", "nav.dashboard"));
                links.push(("/cases", "nav.cases"));
                if role.can(Capability::ViewOrg) {
                    links.push(("/map", "nav.map"));
                }
                // The wall screen is the command centre's and the leaders': not a phone's.
                if role.can(Capability::TakeReports) || role.can(Capability::ViewStats) {
                    links.push(("/wall", "nav.wall"));
                }
            }
            if role.can(Capability::ViewStats) {
                links.push(("/stats", "nav.stats"));
            }
            for (capability, href, key) in [
                (Capability::TakeReports, "/cases/new", "nav.intake"),
                (Capability::ReportInGrid, "/report/grid", "nav.grid_report"),
                (Capability::ReportAsResident, "/report", "nav.report"),
            ] {
                if role.can(capability) {
                    links.push((href, key));
                }
            }
            if role.can(Capability::ViewOrg) {
                links.push(("/org", "nav.org"));
            }
            if role.can(Capability::ViewVisits) {
                links.push(("/visits", "nav.visits"));
            }
            if role.can(Capability::ViewRegistry) {
                links.push(("/registry", "nav.registry"));
            }
            if role.can(Capability::ViewPetitions) {
                links.push(("/petitions", "nav.petitions"));
            }
            if role.can(Capability::ViewDisputes) {
                links.push(("/disputes", "nav.disputes"));
            }
            if role.can(Capability::ManageOrg) {
                links.push(("/org/import", "nav.boundaries"));
                links.push(("/map/layers", "nav.base_layers"));
            }
            if role.can(Capability::ViewUsers) {
                links.push(("/users", "nav.users"));
            }
            if role.can(Capability::ViewAudit) {
                links.push(("/audit", "nav.audit"));
            }
            if role.can(Capability::ManageSettings) {
                links.push(("/admin/categories", "nav.categories"));
                links.push(("/admin/calendar", "nav.calendar"));
                links.push(("/admin/clients", "nav.clients"));
                links.push(("/admin/platforms", "nav.platforms"));
            }
            if role.can(Capability::ImportWorkOrders) {
                links.push(("/import/hotline", "nav.hotline"));
            }
            links.push(("/me", "nav.me"));
            let here = ctx.path.split('?').next().unwrap_or("");
            nav = links
                .into_iter()
                .map(|(href, key)| NavLink {
                    href,
                    label: tr.t(key),
                    current: here == href
                        || (href != "/home" && here.starts_with(&format!("{href}/"))),
                })
                .collect();
            Badge {
                display_name: principal.display_name().to_owned(),
                role: tr.t(role.label_key()),
            }
        });
        let (other_lang_href, other_lang_name, other_lang_tag) = match ctx.lang {
            Lang::ZhCn => ("/lang/en", "English", "en"),
            Lang::En => ("/lang/zh-CN", "中文", "zh-CN"),
        };
        Chrome {
            tr,
            title: title.into(),
            title_is_data: false,
            user,
            csrf_token: ctx.csrf_token.clone(),
            nav,
            other_lang_href,
            other_lang_name,
            other_lang_tag,
        }
    }
}

impl Chrome {
    /// The frame of a page about one record, titled with its name.
    pub fn for_record(ctx: &Ctx, name: impl Into<String>) -> Chrome {
        Chrome {
            title_is_data: true,
            ..Chrome::new(ctx, name)
        }
    }
}

/// Renders a page template into a response.
pub fn render(page: &impl Template) -> Result<Response, Failure> {
    Ok(Html(page.render()?).into_response())
}

/// A refusal a page shows on itself (a form shown again with what was typed): its words, and
/// its kind, which sets the page's status.
#[derive(Debug, Clone)]
pub struct Refused {
    pub kind: RefusalKind,
    pub message: String,
}

impl Refused {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refused {
        Refused {
            kind,
            message: message.into(),
        }
    }

    /// The store's refusal, in the reader's language.
    pub fn of(refusal: &Refusal, lang: Lang) -> Refused {
        Refused::new(refusal.kind(), refusal.localize(lang))
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Renders a form page; a form shown again because it was refused answers with the status of
/// its refusal's kind (the error policy, [`crate::errors`]).
pub fn render_form(
    page: &impl Template,
    refused: Option<RefusalKind>,
) -> Result<Response, Failure> {
    let mut response = render(page)?;
    if let Some(kind) = refused {
        *response.status_mut() = crate::errors::status(kind);
    }
    Ok(response)
}
