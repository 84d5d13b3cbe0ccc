//! The authorization table (issue 16): every route the server has (pages, API, Open311, files)
//! asked by every role and by someone signed out, with the answer expected written in one
//! table. The case asked about lies in community A, so staff_b, worker_b1 and resident_b ask
//! out of their scope. A route the router has and the table lacks fails the test, so every
//! future domain's routes must join it.
//!
//! Each row's answers are in the order of [`WHO`]: 303 is the way to the login page, 401 an API
//! call without a valid token, 403 refused for the role or scope, 404 not told it exists.
//! Requests that change something are sent empty, so a permitted one is refused for what it
//! lacks (400/422) and nothing changes; a form read before the role is checked answers for its
//! emptiness too, which the row records as it is.

use std::collections::BTreeSet;

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::{follow_link, receipt_number, receipt_of};
use crate::hardening::unlimited;
use crate::support::{Client, TestApp, case_id, category, photo};

/// Who asks, in the order of every row's answers.
const WHO: [&str; 13] = [
    "-",
    "admin",
    "leader",
    "shiftlead",
    "intake",
    "dispatcher",
    "handler",
    "staff_a",
    "staff_b",
    "worker_a1",
    "worker_b1",
    "resident_a",
    "resident_b",
];

/// (method, route as the router writes it, the path asked, the answers in the order of WHO).
/// In the path: CASE is the case in community A, FOLLOW its follow token, PHOTO its photo,
/// PERSON a registry person living in community A and HOUSE their house, PETITION a petition
/// of that person's registered by the desk, DISPUTE a dispute registered in community A.
const TABLE: &[(&str, &str, &str, &str)] = &[
    (
        "GET",
        "/map/layers",
        "/map/layers",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/map/layers",
        "/map/layers",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/map/layers/{id}/delete",
        "/map/layers/00000000-0000-7000-8000-000000000000/delete",
        "303 404 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/map/base/{id}",
        "/map/base/00000000-0000-7000-8000-000000000000",
        "404 404 404 404 404 404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/map/search.json",
        "/map/search.json?q=%E7%94%B2",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/disputes",
        "/disputes",
        "303 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/disputes",
        "/disputes",
        "303 403 422 422 422 403 403 422 422 422 422 403 403",
    ),
    (
        "GET",
        "/disputes/export.xlsx",
        "/disputes/export.xlsx",
        "303 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/disputes/import",
        "/disputes/import",
        "303 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/disputes/import",
        "/disputes/import",
        "303 403 422 422 422 403 403 422 422 422 422 403 403",
    ),
    (
        "GET",
        "/disputes/figures",
        "/disputes/figures",
        "303 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/disputes/{id}",
        "/disputes/DISPUTE",
        "303 403 200 200 200 403 403 200 404 404 404 403 403",
    ),
    (
        "POST",
        "/disputes/{id}/act",
        "/disputes/DISPUTE/act",
        "303 403 422 403 403 403 403 422 404 403 403 403 403",
    ),
    (
        "GET",
        "/disputes/{id}/agreement.docx",
        "/disputes/DISPUTE/agreement.docx",
        "303 403 404 404 404 403 403 404 404 404 404 403 403",
    ),
    (
        "GET",
        "/api/v1/disputes",
        "/api/v1/disputes",
        "401 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/api/v1/disputes",
        "/api/v1/disputes",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/api/v1/disputes/figures",
        "/api/v1/disputes/figures",
        "401 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/disputes/kinds",
        "/api/v1/disputes/kinds",
        "401 403 200 200 200 403 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/disputes/{id}",
        "/api/v1/disputes/DISPUTE",
        "401 403 200 200 200 403 403 200 404 404 404 403 403",
    ),
    (
        "POST",
        "/api/v1/disputes/{id}/actions",
        "/api/v1/disputes/DISPUTE/actions",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/registry",
        "/registry",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/registry",
        "/registry",
        "303 403 422 403 403 403 403 422 422 422 422 403 403",
    ),
    (
        "GET",
        "/registry/export.xlsx",
        "/registry/export.xlsx",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/registry/places",
        "/registry/places",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/registry/buildings",
        "/registry/buildings",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/registry/enterprises",
        "/registry/enterprises",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/registry/components",
        "/registry/components",
        "303 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/registry/persons/{id}",
        "/registry/persons/PERSON",
        "303 403 200 200 200 200 403 200 404 404 404 403 403",
    ),
    (
        "POST",
        "/registry/persons/{id}/reveal",
        "/registry/persons/PERSON/reveal",
        "303 403 200 403 403 403 403 200 404 403 403 403 403",
    ),
    (
        "POST",
        "/registry/link/{kind}/{id}",
        "/registry/link/person/PERSON",
        "303 403 404 403 403 403 403 404 404 404 404 403 403",
    ),
    (
        "GET",
        "/registry/places/{id}",
        "/registry/places/HOUSE",
        "303 403 200 200 200 200 403 200 404 404 404 403 403",
    ),
    (
        "GET",
        "/registry/import",
        "/registry/import",
        "303 403 200 403 403 403 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/registry/import",
        "/registry/import",
        "303 403 422 403 403 403 403 422 422 422 422 403 403",
    ),
    (
        "GET",
        "/api/v1/registry/persons",
        "/api/v1/registry/persons",
        "401 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/api/v1/registry/persons",
        "/api/v1/registry/persons",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/api/v1/registry/persons/{id}",
        "/api/v1/registry/persons/PERSON",
        "401 403 200 200 200 200 403 200 404 404 404 403 403",
    ),
    (
        "POST",
        "/api/v1/registry/persons/{id}/reveal",
        "/api/v1/registry/persons/PERSON/reveal",
        "401 403 200 403 403 403 403 200 404 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/registry/places",
        "/api/v1/registry/places",
        "401 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/registry/buildings",
        "/api/v1/registry/buildings",
        "401 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/economy/streets/{code}/figures",
        "/api/v1/economy/streets/330106008000/figures?month=2017-09",
        "401 200 200 200 403 200 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/economy/streets/{code}/ranking/{indicator}",
        "/api/v1/economy/streets/330106008000/ranking/tax_revenue?month=2017-09",
        "401 200 200 200 403 200 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/registry/enterprises",
        "/api/v1/registry/enterprises",
        "401 403 200 200 200 200 403 200 200 200 200 403 403",
    ),
    (
        "POST",
        "/api/v1/registry/links",
        "/api/v1/registry/links",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/",
        "/",
        "200 303 303 303 303 303 303 303 303 303 303 303 303",
    ),
    (
        "GET",
        "/healthz",
        "/healthz",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/static/{*path}",
        "/static/app.css",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/favicon.ico",
        "/favicon.ico",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/manifest.webmanifest",
        "/manifest.webmanifest",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    // Open reports near a point: public like the report form, and as bare (no words, no
    // number, no person).
    (
        "GET",
        "/report/nearby.json",
        "/report/nearby.json?lon=120.105&lat=30.2525",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/login",
        "/login",
        "200 303 303 303 303 303 303 303 303 303 303 303 303",
    ),
    (
        "GET",
        "/lang/{tag}",
        "/lang/en",
        "303 303 303 303 303 303 303 303 303 303 303 303 303",
    ),
    (
        "GET",
        "/home",
        "/home",
        "303 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/me",
        "/me",
        "303 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/me/data.json",
        "/me/data.json",
        "303 403 403 403 403 403 403 403 403 403 403 200 200",
    ),
    (
        "GET",
        "/inbox",
        "/inbox",
        "303 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/dashboard",
        "/dashboard",
        "303 403 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/inbox/events",
        "/inbox/events",
        "303 200 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/wall",
        "/wall",
        "303 403 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/wall/events",
        "/wall/events",
        "303 403 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/map",
        "/map",
        "303 403 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/cases",
        "/cases",
        "303 403 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/cases/places.json",
        "/cases/places.json?q=A",
        "303 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/cases/export.xlsx",
        "/cases/export.xlsx",
        "303 403 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/cases/new",
        "/cases/new",
        "303 403 403 200 200 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/cases/{id}",
        "/cases/CASE",
        "303 403 200 200 200 200 403 200 403 200 403 200 404",
    ),
    (
        "GET",
        "/cases/{id}/sheet",
        "/cases/CASE/sheet",
        "303 403 200 200 200 200 403 200 403 200 403 403 403",
    ),
    (
        "GET",
        "/attachments/{id}/{variant}",
        "/attachments/PHOTO/thumb",
        "303 404 200 200 200 200 404 200 404 200 404 200 404",
    ),
    (
        "GET",
        "/report",
        "/report",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/report/grid",
        "/report/grid",
        "303 403 403 403 403 403 403 403 403 200 200 403 403",
    ),
    (
        "GET",
        "/follow/{token}",
        "/follow/FOLLOW",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/follow/{token}/photos/{id}",
        "/follow/FOLLOW/photos/PHOTO",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/org",
        "/org",
        "303 200 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/org/import",
        "/org/import",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/org/{code}",
        "/org/330106008001",
        "303 200 200 200 200 200 200 200 403 403 403 403 403",
    ),
    (
        "GET",
        "/org/{code}/boundary.geojson",
        "/org/330106008001/boundary.geojson",
        "303 200 200 200 200 200 200 200 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/locate",
        "/api/locate?lon=120.105&lat=30.2525",
        "401 200 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/stats",
        "/stats",
        "303 200 200 200 403 200 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/stats/cases",
        "/stats/cases",
        "303 400 400 400 400 400 400 400 400 400 400 403 403",
    ),
    (
        "GET",
        "/stats/bulletin",
        "/stats/bulletin",
        "303 200 200 200 403 200 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/stats/bulletin.xlsx",
        "/stats/bulletin.xlsx",
        "303 200 200 200 403 200 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/stats/bulletin.docx",
        "/stats/bulletin.docx",
        "303 200 200 200 403 200 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/users",
        "/users",
        "303 200 200 200 403 403 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/users/{username}",
        "/users/staff_a",
        "303 200 200 200 403 403 403 200 403 403 403 403 403",
    ),
    (
        "POST",
        "/users/{username}/{step}",
        "/users/staff_a/role",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/visits",
        "/visits",
        "303 200 200 403 403 403 403 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/audit",
        "/audit",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/import/hotline",
        "/import/hotline",
        "303 403 403 200 200 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/import/jobs/{id}",
        "/import/jobs/00000000-0000-7000-8000-000000000000",
        "303 404 404 404 404 404 404 404 404 404 404 403 403",
    ),
    (
        "GET",
        "/admin/platforms",
        "/admin/platforms",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/categories",
        "/admin/categories",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/categories/{code}",
        "/admin/categories/E0101",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/calendar",
        "/admin/calendar",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/clients",
        "/admin/clients",
        "303 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/docs",
        "/api/docs",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/openapi.json",
        "/api/openapi.json",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/categories",
        "/api/v1/categories",
        "401 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/org",
        "/api/v1/org",
        "401 200 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/departments",
        "/api/v1/departments",
        "401 200 200 200 200 200 200 200 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/stats",
        "/api/v1/stats",
        "401 200 200 200 403 200 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/cases",
        "/api/v1/cases",
        "401 403 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/cases/{id}",
        "/api/v1/cases/CASE",
        "401 403 200 200 200 200 403 200 403 200 403 200 404",
    ),
    (
        "GET",
        "/api/v1/webhooks",
        "/api/v1/webhooks",
        "401 200 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/webhooks/{id}/deliveries",
        "/api/v1/webhooks/00000000-0000-7000-8000-000000000000/deliveries",
        "401 404 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/discovery.json",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/services.json",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/services/E0101.json",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/requests.json",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/open311/v2/*",
        "/open311/v2/requests.json",
        "403 403 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/tokens/x.json",
        "404 404 404 404 404 404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/open311/v2/*",
        "/open311/v2/media/PHOTO",
        "200 200 200 200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/login",
        "/api/v1/login",
        "400 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "POST",
        "/api/v1/cases",
        "/api/v1/cases",
        "401 401 401 401 401 401 401 401 401 401 401 401 401",
    ),
    (
        "POST",
        "/api/v1/cases/{id}/reporters/reveal",
        "/api/v1/cases/CASE/reporters/reveal",
        "401 403 403 200 200 403 403 403 403 403 403 403 404",
    ),
    (
        "POST",
        "/api/v1/cases/{id}/actions/{action}",
        "/api/v1/cases/CASE/actions/void",
        "401 403 403 422 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/webhooks",
        "/api/v1/webhooks",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "DELETE",
        "/api/v1/webhooks/{id}",
        "/api/v1/webhooks/00000000-0000-7000-8000-000000000000",
        "401 404 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/login",
        "/login",
        "422 422 422 422 422 422 422 422 422 422 422 422 422",
    ),
    (
        "POST",
        "/report",
        "/report",
        "422 422 422 422 422 422 422 422 422 422 422 422 422",
    ),
    (
        "POST",
        "/report/grid",
        "/report/grid",
        "303 403 403 403 403 403 403 403 403 422 422 403 403",
    ),
    (
        "POST",
        "/cases/new",
        "/cases/new",
        "303 403 403 422 422 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/cases/{id}/reveal",
        "/cases/CASE/reveal",
        "303 403 403 200 200 403 403 403 403 403 403 403 404",
    ),
    (
        "POST",
        "/cases/{id}/act/{action}",
        "/cases/CASE/act/void",
        // Empty: whoever may void it is told the reason is missing, everyone else that they
        // may not (or, out of sight, that there is no such case).
        "303 403 403 422 403 403 403 403 403 403 403 403 404",
    ),
    (
        "POST",
        "/cases/bulk/dispatch",
        "/cases/bulk/dispatch",
        "303 422 422 422 422 422 422 422 422 422 422 403 403",
    ),
    (
        "POST",
        "/follow/{token}/{action}",
        "/follow/FOLLOW/reopen",
        // The link's holder may ask only once the case is closed; this one is open.
        "409 409 409 409 409 409 409 409 409 409 409 409 409",
    ),
    (
        "POST",
        "/visits",
        "/visits",
        "303 403 403 403 403 403 403 403 403 422 422 403 403",
    ),
    (
        "POST",
        "/users",
        "/users",
        "303 422 422 422 403 403 403 422 422 403 403 403 403",
    ),
    (
        "POST",
        "/org/import",
        "/org/import",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/import/hotline",
        "/import/hotline",
        "303 403 403 422 422 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/platforms",
        "/admin/platforms",
        "303 422 422 422 422 422 422 422 422 422 422 403 403",
    ),
    (
        "POST",
        "/admin/calendar",
        "/admin/calendar",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/clients",
        "/admin/clients",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/categories/{code}",
        "/admin/categories/E0101",
        "303 422 403 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/me/erase",
        "/me/erase",
        "303 403 403 403 403 403 403 403 403 403 403 422 422",
    ),
    (
        "GET",
        "/petitions",
        "/petitions",
        "303 403 200 200 200 403 403 200 200 403 403 403 403",
    ),
    (
        "POST",
        "/petitions",
        "/petitions",
        "303 403 403 422 422 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/petitions/figures",
        "/petitions/figures",
        "303 403 200 200 200 403 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/petitions/people/{id}",
        "/petitions/people/PERSON",
        "303 403 200 200 200 403 403 200 403 403 403 403 403",
    ),
    (
        "GET",
        "/petitions/{id}",
        "/petitions/PETITION",
        "303 403 200 200 200 403 404 200 404 403 403 403 403",
    ),
    (
        "POST",
        "/petitions/{id}/act",
        "/petitions/PETITION/act",
        "303 403 422 422 422 403 404 422 404 403 403 403 403",
    ),
    (
        "GET",
        "/petitions/{id}/documents/{kind}",
        "/petitions/PETITION/documents/accept_notice",
        "303 403 403 404 404 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/petitions/export.xlsx",
        "/petitions/export.xlsx",
        "303 403 200 200 200 403 403 200 200 403 403 403 403",
    ),
    (
        "POST",
        "/petitions/people/{id}/plan",
        "/petitions/people/PERSON/plan",
        "303 403 422 403 403 403 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/petitions",
        "/api/v1/petitions",
        "401 403 200 200 200 403 403 200 200 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/petitions",
        "/api/v1/petitions",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/api/v1/petitions/figures",
        "/api/v1/petitions/figures",
        "401 403 200 200 200 403 403 200 200 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/petitions/{id}",
        "/api/v1/petitions/PETITION",
        "401 403 200 200 200 403 404 200 404 403 403 404 404",
    ),
    (
        "POST",
        "/api/v1/petitions/{id}/actions",
        "/api/v1/petitions/PETITION/actions",
        "401 400 400 400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "POST",
        "/logout",
        "/logout",
        "303 303 303 303 303 303 303 303 303 303 303 303 303",
    ),
];

/// Asks one route as one person; answers the status.
async fn ask(
    app: &TestApp,
    browser: &Client,
    token: Option<&str>,
    method: &str,
    path: &str,
) -> u16 {
    let machine = path.starts_with("/api/v1/") || path.starts_with("/open311/");
    if machine {
        let http = reqwest::Client::new();
        let url = format!("{}{path}", app.base);
        let mut request = match method {
            "GET" => http.get(url),
            "DELETE" => http.delete(url),
            _ => http
                .post(url)
                .header("content-type", "application/json")
                .body("{}"),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        return request.send().await.expect("request").status().as_u16();
    }
    match method {
        // An event stream does not end: its answer is its status.
        "GET" if path.ends_with("/events") => browser.open_stream(path).await.status().as_u16(),
        "GET" => {
            // Every page anyone reads keeps its forms' tokens out of addresses (logs, Referer).
            let page = browser.get(path).await;
            crate::phones::assert_no_token_in_addresses(path, &page.body);
            page.status
        }
        _ => {
            // An empty form; a route that takes only multipart forms is asked again with one,
            // so it answers for who asks rather than for the form's kind.
            let status = browser.post_form(path, &[]).await.status;
            if status == 400 {
                browser.post_multipart(path, &[], &[]).await.status
            } else {
                status
            }
        }
    }
}

async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
    let Some(app) = unlimited(backend).await else {
        return;
    };
    // A case in community A with a photo, reported by resident_a.
    let reporter = app.client();
    reporter.login("resident_a", FIXTURE_PASSWORD).await;
    reporter.get("/report").await;
    let litter = category(&app, "E0101").await;
    let receipt = reporter
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "授权表测试"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ],
            &[("photos", "p.png", photo())],
        )
        .await;
    let receipt = receipt_of(&reporter, receipt).await;
    let case = case_id(&app.store, &receipt_number(&receipt)).await;
    let follow = follow_link(&receipt);
    let token = follow.trim_start_matches("/follow/").to_owned();
    let photo_id = {
        let page = reporter.get(&follow).await;
        let marker = "/photos/";
        let start = page.body.find(marker).expect("a photo") + marker.len();
        page.body[start..].split('"').next().expect("id").to_owned()
    };
    // A person living in a house of community A, entered by community A's staff.
    let (person, house) = crate::registry::resident_and_house_of(
        &app,
        "staff_a",
        jiedao_store::testing::fixture::COMMUNITY_A,
        "授权表居民",
        &jiedao_core::registry::sample::id_number(
            "330106",
            chrono::NaiveDate::from_ymd_opt(1960, 1, 1).expect("date"),
            123,
        ),
        "13700001111",
    )
    .await;
    let petition = crate::petitions::registered(&app, person, "claim", &[]).await;
    let dispute = crate::disputes::registered_in_a(&app, "staff_a", 901).await;
    let fill = |path: &str| {
        path.replace("CASE", &case.to_string())
            .replace("PETITION", &petition.to_string())
            .replace("DISPUTE", &dispute)
            .replace("PERSON", &person.to_string())
            .replace("HOUSE", &house.to_string())
            .replace("FOLLOW", &token)
            .replace("PHOTO", &photo_id)
    };

    let mut people = Vec::new();
    for who in WHO {
        let browser = app.client();
        let token = if who == "-" {
            browser.get("/login").await;
            None
        } else {
            assert_eq!(
                browser.login(who, FIXTURE_PASSWORD).await.status,
                303,
                "{who}"
            );
            browser.get("/me").await;
            Some(app.token(who).await)
        };
        people.push((who, browser, token));
    }

    // Every route the router has, and only those, has a row.
    let routed: BTreeSet<String> = jiedao_web::features::all().paths.into_iter().collect();
    let rowed: BTreeSet<String> = TABLE.iter().map(|row| row.1.to_owned()).collect();
    let missing: Vec<&String> = routed.difference(&rowed).collect();
    let stale: Vec<&String> = rowed
        .iter()
        .filter(|r| {
            !routed.contains(*r)
                && !routed
                    .iter()
                    .any(|p| p.ends_with("/*") && r.starts_with(p.trim_end_matches('*')))
        })
        .collect();
    let mut wrong = Vec::new();
    let mut observed_table = String::new();
    for (method, route, written, expected) in TABLE {
        let path = fill(written);
        let mut answers = Vec::new();
        for (_, browser, token) in &people {
            answers.push(
                ask(&app, browser, token.as_deref(), method, &path)
                    .await
                    .to_string(),
            );
        }
        let answers = answers.join(" ");
        if answers != *expected {
            wrong.push(format!(
                "{method} {path}: expected {expected:?}, got {answers:?}"
            ));
        }
        observed_table.push_str(&format!(
            "    ({method:?}, {route:?}, {written:?}, {answers:?}),\n"
        ));
    }
    assert!(
        missing.is_empty() && stale.is_empty() && wrong.is_empty(),
        "routes without a row: {missing:?}\nrows without a route: {stale:?}\n{}\nas observed:\n{observed_table}",
        wrong.join("\n")
    );
}

on_both_backends!(every_route_answers_every_role_as_the_table_says);
