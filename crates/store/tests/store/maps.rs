//! Base layers (底图) in the store: what is stored comes back as uploaded with its summary,
//! in drawing order (water under roads under points); an administrator removes only what was
//! uploaded within their reach; every change is audited.

use std::sync::Arc;

use jiedao_store::base_layers::{self, LayerKind, NewLayer};
use jiedao_store::testing::principal;
use jiedao_store::{Backend, Principal, Refusal, StoreError, on_both_backends};

use crate::foundation::fixture_store;

fn layer(name: &str, kind: LayerKind, lon: f64) -> NewLayer {
    NewLayer {
        name: name.into(),
        kind,
        text: Arc::from(format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Point","coordinates":[{lon},30.25]}}}}]}}"#
        )),
    }
}

async fn base_layers_are_kept_drawn_in_order_and_removed_within_reach(backend: Backend) {
    let Some((_db, store)) = fixture_store(backend).await else {
        return;
    };
    let system = Principal::system("test");
    let district_wide = store
        .add_base_layer(
            &system.scope(),
            system.actor(None),
            layer("河道", LayerKind::Water, 120.1),
        )
        .await
        .expect("a district's layer");
    let admin = principal(&store, "admin").await;
    let streets = store
        .add_base_layer(
            &admin.scope(),
            admin.actor(None),
            layer("街巷", LayerKind::Roads, 120.2),
        )
        .await
        .expect("the street's layer");
    let points = store
        .add_base_layer(
            &admin.scope(),
            admin.actor(None),
            layer("井盖", LayerKind::Components, 120.3),
        )
        .await
        .expect("points");

    let listed = store.read(base_layers::list).await.expect("list");
    let order: Vec<_> = listed.iter().map(|l| l.id).collect();
    assert_eq!(
        order,
        [district_wide, streets, points],
        "water, roads, points"
    );
    assert_eq!(listed[1].name, "街巷");
    assert_eq!(listed[1].features, 1);
    assert_eq!(listed[1].bounds, [120.2, 30.25, 120.2, 30.25]);
    assert_eq!(listed[1].uploaded_by, "admin");
    let text = store
        .read(move |conn| base_layers::geojson(conn, streets))
        .await
        .expect("geojson");
    assert_eq!(text, &*layer("街巷", LayerKind::Roads, 120.2).text);

    // The street's administrator cannot remove what was uploaded for the whole district.
    let (scope, actor, at) = (admin.scope(), admin.actor(None), store.now());
    let refused = store
        .write(move |conn| base_layers::remove(conn, &scope, &actor, at, district_wide))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(Refusal::OutOfScope))),
        "{refused:?}"
    );
    let leader = principal(&store, "leader").await;
    let (scope, actor) = (leader.scope(), leader.actor(None));
    let refused = store
        .write(move |conn| base_layers::remove(conn, &scope, &actor, at, streets))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(Refusal::NotAllowed))),
        "{refused:?}"
    );
    let (scope, actor) = (admin.scope(), admin.actor(None));
    store
        .write(move |conn| base_layers::remove(conn, &scope, &actor, at, streets))
        .await
        .expect("removed");
    assert_eq!(store.read(base_layers::list).await.expect("list").len(), 2);

    let audit = store
        .read(move |conn| {
            jiedao_store::audit::recent(conn, &Principal::system("t").scope(), None, 100)
        })
        .await
        .expect("audit");
    let count = |action: &str| audit.iter().filter(|r| r.action == action).count();
    assert_eq!(
        (count("base_layer.add"), count("base_layer.remove")),
        (3, 1)
    );
}

on_both_backends!(base_layers_are_kept_drawn_in_order_and_removed_within_reach);
