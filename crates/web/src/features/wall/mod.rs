//! The command centre's wall (指挥中心大屏): a full-screen page for 1920×1080 and 3840×2160
//! screens that follows the cases live (server-sent events, [`crate::widgets::live`]): today's
//! intake by channel and category, the backlog, the rolling alerts, the trend, and a place for
//! the live map. The inbox's live badge is the cases feature's.

pub mod page;

use axum::routing::get;

use super::Routes;

pub fn routes() -> Routes {
    Routes::default()
        .page("/wall", get(page::show))
        .page("/wall/events", get(page::events))
}
