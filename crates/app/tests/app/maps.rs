//! Maps (issue 18): base layers (底图) uploaded, listed, served and deleted by administrators,
//! refused whole when they cannot be drawn; the Leaflet files served from the binary; the map
//! pages carrying what map.js draws; the tile server named in the content security policy;
//! the map search over registry addresses.

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::support::{Client, TestApp};

const ROADS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"湖滨路"},"geometry":{"type":"LineString","coordinates":[[120.100,30.250],[120.110,30.255]]}},
 {"type":"Feature","properties":{"name":"井盖"},"geometry":{"type":"Point","coordinates":[120.105,30.252]}}]}"#;

async fn signed_in(app: &TestApp, username: &str) -> Client {
    let person = app.client();
    let answer = person.login(username, FIXTURE_PASSWORD).await;
    assert_eq!(answer.status, 303, "{username} logs in");
    person
}

/// The id in a `/map/base/{id}` link of `html`.
fn layer_id(html: &str) -> String {
    let start = html.find("/map/base/").expect("a layer link") + "/map/base/".len();
    html[start..start + 36].to_owned()
}

async fn administrators_upload_list_serve_and_delete_base_layers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = signed_in(&app, "admin").await;
    let page = admin.get("/map/layers").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>底图"), "{}", page.body);
    assert!(page.body.contains("还没有上传底图"));
    assert!(page.body.contains("未配置在线瓦片服务"));

    let added = admin
        .post_multipart(
            "/map/layers",
            &[("name", "甲街道道路"), ("kind", "roads")],
            &[("file", "roads.geojson", ROADS.as_bytes().to_vec())],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.location.as_deref(), Some("/map/layers?added=2"));
    let listed = admin.get("/map/layers?added=2").await;
    assert!(
        listed.body.contains("底图已上传：2个要素"),
        "{}",
        listed.body
    );
    assert!(listed.body.contains("甲街道道路"));
    assert!(listed.body.contains("道路"));
    let id = layer_id(&listed.body);
    assert_eq!(
        app.audit_count(|r| r.action == "base_layer.add" && r.actor == "admin")
            .await,
        1
    );

    // Anyone's map draws it: the layer is public, as the grids' map is.
    let anyone = app.client();
    let (status, kind, bytes) = anyone.download(&format!("/map/base/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/geo+json");
    assert_eq!(
        String::from_utf8(bytes).expect("text"),
        ROADS,
        "kept as uploaded"
    );
    let form = anyone.get("/report").await;
    assert!(form.body.contains(r#"id="map-data""#), "{}", form.body);
    assert!(form.body.contains(&format!("/map/base/{id}")));
    assert!(form.body.contains("/static/vendor/leaflet.js"));
    assert!(form.body.contains("/static/map.js"));
    let leader = signed_in(&app, "leader").await;
    let map = leader.get("/map").await;
    assert!(map.body.contains(&format!("/map/base/{id}")));
    assert!(map.body.contains(r#""mode":"cases""#));
    assert!(
        map.body.contains(r#""heat":true"#),
        "leaders get the heat layer"
    );
    let shift = signed_in(&app, "shiftlead").await;
    assert!(shift.get("/map").await.body.contains(r#""heat":false"#));

    // Someone other than an administrator may neither delete nor upload.
    let refused = leader
        .post_form(&format!("/map/layers/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status, 403);
    let refused = leader
        .post_multipart(
            "/map/layers",
            &[("name", "x"), ("kind", "roads")],
            &[("file", "roads.geojson", ROADS.as_bytes().to_vec())],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.count("base_layer").await, 1, "nothing changed");

    admin.get("/map/layers").await;
    let removed = admin
        .post_form(&format!("/map/layers/{id}/delete"), &[])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(
        admin
            .get("/map/layers?removed=1")
            .await
            .body
            .contains("底图已删除")
    );
    assert_eq!(anyone.get(&format!("/map/base/{id}")).await.status, 404);
    assert_eq!(app.count("base_layer").await, 0);
    assert_eq!(
        app.audit_count(|r| r.action == "base_layer.remove").await,
        1
    );
    admin.get("/map/layers").await;
    let again = admin
        .post_form(&format!("/map/layers/{id}/delete"), &[])
        .await;
    assert_eq!(again.status, 404, "gone is gone");
}

async fn base_layers_that_cannot_be_drawn_are_refused_whole(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = signed_in(&app, "admin").await;
    admin.get("/map/layers").await;
    let off_earth = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120.1,30.2]}},
        {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[220.1,30.2]}}]}"#;
    let too_big = format!(
        r#"{{"type":"FeatureCollection","features":[],"padding":"{}"}}"#,
        "x".repeat(9 * 1024 * 1024)
    );
    for (file, name, expected) in [
        ("not json at all".to_owned(), "坏文件", "不是有效的GeoJSON"),
        (
            r#"{"type":"Point","coordinates":[120.1,30.2]}"#.to_owned(),
            "一个点",
            "FeatureCollection",
        ),
        (off_earth.to_owned(), "出界", "第2个要素的坐标"),
        (
            r#"{"type":"FeatureCollection","features":[]}"#.to_owned(),
            "空的",
            "没有任何要素",
        ),
        (too_big, "太大", "8"),
        (ROADS.to_owned(), "", "名称"),
    ] {
        let refused = admin
            .post_multipart(
                "/map/layers",
                &[("name", name), ("kind", "roads")],
                &[("file", "layer.geojson", file.into_bytes())],
            )
            .await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        assert!(refused.body.contains(expected), "{name}: {}", refused.body);
        assert!(refused.body.contains(r#"role="alert""#));
    }
    let none = admin
        .post_multipart("/map/layers", &[("name", "无文件")], &[])
        .await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("请选择要上传的GeoJSON文件"));
    assert_eq!(app.count("base_layer").await, 0, "nothing was stored");
    assert_eq!(app.audit_count(|r| r.action == "base_layer.add").await, 0);
    let unknown = app
        .client()
        .get(&format!("/map/base/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(app.client().get("/map/base/not-an-id").await.status, 404);
}

async fn the_map_library_comes_from_the_binary_and_tiles_from_the_deployment(backend: Backend) {
    let Some(db) = jiedao_store::testing::TestDb::new(backend) else {
        return;
    };
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    jiedao_store::testing::load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        tiles: Some(jiedao_web::widgets::webmap::TileConfig {
            url: "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&tk=KEY".into(),
            subdomains: "01234567".into(),
            attribution: "天地图".into(),
            labels: None,
            max_zoom: 18,
        }),
        ..jiedao_web::WebConfig::default()
    };
    let app = TestApp::serve_with(db, store, config).await;
    for (file, kind) in [
        ("leaflet.js", "text/javascript; charset=utf-8"),
        ("leaflet.css", "text/css; charset=utf-8"),
        ("markercluster.js", "text/javascript; charset=utf-8"),
        ("leaflet-heat.js", "text/javascript; charset=utf-8"),
        ("images/layers.png", "image/png"),
    ] {
        let (status, served, bytes) = app
            .client()
            .download(&format!("/static/vendor/{file}"))
            .await;
        assert_eq!((status, served.as_str()), (200, kind), "{file}");
        assert!(bytes.len() > 500, "{file}");
    }
    let (_, _, leaflet) = app.client().download("/static/vendor/leaflet.js").await;
    assert!(
        String::from_utf8_lossy(&leaflet).contains("1.9.4"),
        "the version the lock pins"
    );
    assert_eq!(
        app.client().get("/static/vendor/nothing.js").await.status,
        404
    );

    let response = reqwest::get(format!("{}/report", app.base))
        .await
        .expect("report");
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a policy")
        .to_owned();
    assert!(
        policy.contains("img-src 'self' data: https://*.tianditu.gov.cn;"),
        "{policy}"
    );
    assert!(
        policy.contains("script-src 'self';"),
        "still no inline script: {policy}"
    );
    let body = response.text().await.expect("body");
    assert!(
        body.contains("TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"),
        "WMTS in Leaflet's terms: {body}"
    );
    assert!(body.contains(r#""attribution":"天地图""#));
    assert!(body.contains(r#""mode":"pick""#));
    let block = body
        .split(r#"id="map-data" data-user>"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the data block");
    let data: serde_json::Value = serde_json::from_str(block).expect("the whole block is JSON");
    assert_eq!(data["tiles"]["subdomains"], "01234567");
    assert!(
        data["areas"]["features"]
            .as_array()
            .is_some_and(|grids| !grids.is_empty()),
        "the grids are drawn"
    );
    let admin = signed_in(&app, "admin").await;
    assert!(
        admin
            .get("/map/layers")
            .await
            .body
            .contains("在线瓦片：https://*.tianditu.gov.cn"),
        "the page says tiles are configured, without the key"
    );
}

async fn the_map_search_finds_registry_addresses_for_those_who_may_see_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let who = jiedao_store::testing::principal(&app.store, "staff_a").await;
    let at = app.store.now();
    app.store
        .write(move |conn| {
            for (name, lon) in [("湖滨小区", Some(120.105)), ("无坐标小区", None)] {
                jiedao_store::registry::places::add(
                    conn,
                    &who,
                    at,
                    None,
                    &jiedao_store::registry::places::NewPlace {
                        kind: Some(jiedao_store::registry::places::PlaceKind::Estate),
                        community: Some(jiedao_store::testing::fixture::COMMUNITY_A.into()),
                        name: name.into(),
                        lon,
                        lat: lon.map(|_| 30.252),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })
        .await
        .expect("places");
    let leader = signed_in(&app, "leader").await;
    let found: serde_json::Value = serde_json::from_str(
        &leader
            .get("/map/search.json?q=%E5%B0%8F%E5%8C%BA")
            .await
            .body,
    )
    .expect("json");
    let found = found.as_array().expect("a list");
    assert_eq!(found.len(), 1, "only the place with a point: {found:?}");
    assert!(
        found[0]["name"]
            .as_str()
            .expect("name")
            .contains("湖滨小区")
    );
    assert_eq!(found[0]["lon"], 120.105);
    let none = leader.get("/map/search.json?q=").await;
    assert_eq!((none.status, none.body.as_str()), (200, "[]"));
    let found = leader
        .get("/map/search.json?q=%E4%B8%8D%E5%AD%98%E5%9C%A8")
        .await;
    assert_eq!((found.status, found.body.as_str()), (200, "[]"));
    let handler = signed_in(&app, "handler").await;
    assert_eq!(handler.get("/map/search.json?q=x").await.status, 403);
    let resident = signed_in(&app, "resident_a").await;
    assert_eq!(resident.get("/map/search.json?q=x").await.status, 403);
    assert_eq!(app.client().get("/map/search.json?q=x").await.status, 303);
}

on_both_backends!(
    administrators_upload_list_serve_and_delete_base_layers,
    base_layers_that_cannot_be_drawn_are_refused_whole,
    the_map_library_comes_from_the_binary_and_tiles_from_the_deployment,
    the_map_search_finds_registry_addresses_for_those_who_may_see_them,
);
