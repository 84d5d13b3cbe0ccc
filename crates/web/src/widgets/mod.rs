//! What pages of every feature are built from: the frame around a page ([`layout`]), choices
//! of a form ([`choice`]), tables, charts and maps drawn on the server, the data web maps are drawn from
//! ([`webmap`]), how cases look ([`present`]), QR codes ([`qr`]) and the event streams of live
//! pages ([`live`]). Widgets know nothing of
//! routes; their templates are in `templates/` here.

pub mod chart;
pub mod choice;
pub mod layout;
pub mod live;
pub mod map;
pub mod present;
pub mod qr;
pub mod table;
pub mod webmap;
