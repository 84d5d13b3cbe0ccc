// Maps people can read, drawn with Leaflet (embedded from npm, see crates/web/build.rs) from
// the JSON the page carries in <script type="application/json" id="map-data"> (widgets/webmap.rs).
// The element #map holds the server's SVG drawing, which stays when scripts are off.
//
// - Base: the deployment's tile server when configured; the office's uploaded base layers
//   (roads, buildings, water, 部件) when not, or as soon as the tiles fail to load.
// - Overlays: grid and community boundaries; case pins (44 px to tap) clustered when dense;
//   a heat layer for leaders.
// - A search box over grids, the base layers' names and (for staff who may) registry addresses.
// - Pick mode (report forms): a tap fills #lon/#lat and says at once which grid the point is
//   in, or that it is in none. window.jiedaoMap.mark(lon, lat) lets report.js place a point.
// - Place mode (follow page): one marker.
(function () {
  var holder = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!holder || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var text = data.text;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }
  // Tooltips from text, never from markup: names come from uploaded files and reports.
  function textNode(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  // The server's drawing stays for print, beside the live map.
  var drawing = document.createElement("div");
  drawing.className = "print-only";
  while (holder.firstChild) { drawing.appendChild(holder.firstChild); }
  holder.parentNode.insertBefore(drawing, holder);
  holder.classList.add("live");
  var map = L.map(holder, { zoomSnap: 0.5, maxZoom: data.tiles ? data.tiles.maxZoom || 18 : 19 });
  map.attributionControl.setPrefix(false);
  var overlays = {};
  var control = L.control.layers(null, null, { collapsed: true });
  var status = document.createElement("p");
  status.className = "map-status";
  status.setAttribute("aria-live", "polite");
  holder.parentNode.insertBefore(status, holder.nextSibling);

  // Names to search: { name, bounds or latlng }.
  var names = [];

  // ---- the office's base layers ----
  // Their own pane, under the grids and pins however late their files arrive.
  map.createPane("base").style.zIndex = 350;
  var offline = L.featureGroup();
  var styles = {
    water: { color: "#7fb1e3", weight: 1, fillColor: "#a8cdf0", fillOpacity: 1 },
    buildings: { color: "#b9aea3", weight: 1, fillColor: "#ddd4cb", fillOpacity: 1 },
    roads: { color: "#ffffff", weight: 6, opacity: 1 },
    other: { color: "#8a8f98", weight: 1, fillColor: "#cfd3d8", fillOpacity: 0.6 }
  };
  function drawLayer(layer, geojson) {
    var kind = layer.kind;
    if (kind === "roads") {
      // A darker casing under each road makes it read as a street on the pale ground.
      L.geoJSON(geojson, { pane: "base", style: { color: "#c9c1b6", weight: 9, opacity: 1 }, interactive: false })
        .addTo(offline);
    }
    L.geoJSON(geojson, {
      pane: "base",
      style: function () { return styles[kind] || styles.other; },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { pane: "base", radius: 4, color: "#5b6470", weight: 1, fillColor: "#ffffff", fillOpacity: 1 });
      },
      onEachFeature: function (feature, drawn) {
        var name = feature.properties && feature.properties.name;
        if (!name) { return; }
        var permanent = kind === "roads" || kind === "water";
        drawn.bindTooltip(textNode(name), {
          permanent: permanent, direction: "center",
          className: permanent ? "map-label map-label-" + kind : "map-name"
        });
        names.push({ name: String(name), layer: drawn });
      }
    }).addTo(offline);
  }
  var loading = data.base.map(function (layer) {
    return fetch(layer.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (geojson) { if (geojson) { drawLayer(layer, geojson); } })
      .catch(function () {});
  });
  if (data.base.length) {
    overlays[data.base.map(function (l) { return l.name; }).join(" · ")] = offline;
  }

  // ---- the online base map ----
  if (data.tiles) {
    var options = {
      subdomains: data.tiles.subdomains || "abc",
      attribution: data.tiles.attribution ? textNode(data.tiles.attribution).innerHTML : "",
      maxZoom: data.tiles.maxZoom || 18
    };
    var tiles = L.tileLayer(data.tiles.url, options).addTo(map);
    var online = data.tiles.labels ? L.layerGroup([tiles, L.tileLayer(data.tiles.labels, options)]) : tiles;
    if (data.tiles.labels) { online.addTo(map); }
    overlays[text.tiles] = online;
    var loaded = false;
    tiles.on("tileload", function () { loaded = true; });
    // A street office's network often reaches no tile server: when no tile has come within
    // a few seconds, draw the office's own layers instead and say so.
    setTimeout(function () {
      if (loaded) { return; }
      map.removeLayer(online);
      offline.addTo(map);
      if (data.base.length) { status.textContent = text.offline; }
    }, 4000);
  } else {
    offline.addTo(map);
  }

  // ---- grids and communities ----
  var grids = [];
  var areas = L.geoJSON(data.areas, {
    style: function (feature) {
      return feature.properties.kind === "grid"
        ? { color: "#2a6fdb", weight: 1.5, fillColor: "#2a6fdb", fillOpacity: 0.05 }
        : { color: "#b03a2e", weight: 3, dashArray: "8 5", fill: false, interactive: false };
    },
    onEachFeature: function (feature, drawn) {
      var p = feature.properties;
      names.push({ name: p.name, layer: drawn });
      if (p.kind !== "grid") { return; }
      grids.push(feature);
      drawn.bindTooltip(textNode(p.name), { sticky: true, className: "map-name" });
      if (data.mode === "cases" && p.href) {
        drawn.on("click", function () { window.location.href = p.href; });
      }
    }
  }).addTo(map);
  overlays[text.areas] = areas;

  // ---- pins ----
  function pinIcon(className) {
    return L.divIcon({ className: "map-pin " + className, iconSize: [44, 44], iconAnchor: [22, 22], html: "<span></span>" });
  }
  if (data.mode === "cases" && data.pins) {
    var cluster = L.markerClusterGroup
      ? L.markerClusterGroup({
        maxClusterRadius: 48,
        showCoverageOnHover: false,
        iconCreateFunction: function (group) {
          var count = Number(group.getChildCount());
          return L.divIcon({ className: "map-cluster", iconSize: [48, 48], html: "<span>" + count + "</span>" });
        }
      })
      : L.featureGroup();
    data.pins.forEach(function (pin) {
      var marker = L.marker([pin.lat, pin.lon], { icon: pinIcon(pin["class"]), title: pin.title, alt: pin.title, keyboard: true });
      marker.on("click", function () { window.location.href = pin.href; });
      cluster.addLayer(marker);
    });
    cluster.addTo(map);
    overlays[text.pins] = cluster;
    if (data.heat && L.heatLayer) {
      var heat = L.heatLayer(data.pins.map(function (pin) { return [pin.lat, pin.lon, 1]; }), { radius: 28, blur: 22, minOpacity: 0.3 });
      heat.addTo(map);
      overlays[text.heat] = heat;
    }
  }

  // ---- one place ----
  var chosen = null;
  function place(lon, lat) {
    var latlng = L.latLng(lat, lon);
    if (chosen) { chosen.setLatLng(latlng); } else {
      chosen = L.marker(latlng, { icon: pinIcon("chosen"), title: text.place, alt: text.place, keyboard: false }).addTo(map);
    }
    return latlng;
  }
  if (data.mode === "place" && data.place) {
    place(data.place[0], data.place[1]);
  }

  // ---- which grid a point is in ----
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!rings.length || !inRing(x, y, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k += 1) { if (inRing(x, y, rings[k])) { return false; } }
    return true;
  }
  function gridAt(lon, lat) {
    for (var g = 0; g < grids.length; g += 1) {
      var geometry = grids[g].geometry;
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      for (var p = 0; p < polygons.length; p += 1) {
        if (inPolygon(lon, lat, polygons[p])) { return grids[g]; }
      }
    }
    return null;
  }

  // ---- pick mode ----
  var lonField = document.getElementById("lon");
  var latField = document.getElementById("lat");
  function mark(lon, lat, pan) {
    var latlng = place(lon, lat);
    if (pan) { map.panTo(latlng); }
    var grid = gridAt(lon, lat);
    status.className = "map-status " + (grid ? "ok" : "error");
    status.textContent = grid ? format(text.inside, { grid: grid.properties.name }) : text.outside;
  }
  if (data.mode === "pick" && lonField && latField) {
    map.on("click", function (event) {
      lonField.value = event.latlng.lng.toFixed(6);
      latField.value = event.latlng.lat.toFixed(6);
      mark(event.latlng.lng, event.latlng.lat, false);
    });
    var typed = function () {
      var lon = Number(lonField.value), lat = Number(latField.value);
      if (lonField.value !== "" && latField.value !== "" && isFinite(lon) && isFinite(lat)) { mark(lon, lat, true); }
    };
    lonField.addEventListener("change", typed);
    latField.addEventListener("change", typed);
    window.jiedaoMap = { mark: function (lon, lat) { mark(lon, lat, true); } };
    if (lonField.value !== "" && latField.value !== "") { setTimeout(typed, 0); }
  }

  // ---- where to look first ----
  var bounds = areas.getBounds();
  if (data.mode === "place" && chosen) {
    map.setView(chosen.getLatLng(), 17);
  } else if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [8, 8] });
  } else if (data.base.length) {
    var b = data.base[0].bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  } else {
    map.setView([30.27, 120.15], 12);
  }
  // Names of roads and water crowd the map when zoomed far out.
  function labelsByZoom() { holder.classList.toggle("far", map.getZoom() < 14); }
  map.on("zoomend", labelsByZoom);
  labelsByZoom();

  Object.keys(overlays).forEach(function (name) { control.addOverlay(overlays[name], name); });
  control.addTo(map);

  // ---- search ----
  var Search = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "map-search");
      var input = L.DomUtil.create("input", "", box);
      input.type = "search";
      input.placeholder = text.search;
      input.setAttribute("aria-label", text.searchLabel);
      var list = L.DomUtil.create("ul", "", box);
      list.setAttribute("role", "listbox");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var timer = null;
      function go(found) {
        if (found.layer) {
          if (found.layer.getBounds) { map.fitBounds(found.layer.getBounds(), { maxZoom: 17 }); } else { map.setView(found.layer.getLatLng(), 17); }
          if (found.layer.openTooltip) { found.layer.openTooltip(); }
        } else {
          map.setView([found.lat, found.lon], 18);
          L.popup({ closeButton: true }).setLatLng([found.lat, found.lon]).setContent(textNode(found.name)).openOn(map);
        }
        list.textContent = "";
      }
      function show(results, words) {
        list.textContent = "";
        if (!results.length) {
          var none = L.DomUtil.create("li", "none", list);
          none.textContent = format(text.searchNone, { words: words });
          return;
        }
        results.slice(0, 8).forEach(function (found) {
          var item = L.DomUtil.create("li", "", list);
          var button = L.DomUtil.create("button", "", item);
          button.type = "button";
          button.textContent = found.name;
          L.DomEvent.on(button, "click", function () { go(found); });
        });
      }
      function search() {
        var words = input.value.trim();
        if (!words) { list.textContent = ""; return; }
        var local = names.filter(function (n) { return n.name.indexOf(words) !== -1; });
        show(local, words);
        if (data.search) {
          fetch(data.search + "?q=" + encodeURIComponent(words), { credentials: "same-origin" })
            .then(function (response) { return response.ok ? response.json() : []; })
            .then(function (places) { if (input.value.trim() === words) { show(local.concat(places), words); } })
            .catch(function () {});
        }
      }
      L.DomEvent.on(input, "input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
      L.DomEvent.on(input, "keydown", function (event) {
        if (event.key !== "Enter") { return; }
        event.preventDefault();
        var first = list.querySelector("button");
        if (first) { first.click(); } else { search(); }
      });
      return box;
    }
  });
  map.addControl(new Search());
  Promise.all(loading).then(function () { holder.setAttribute("data-ready", "true"); });
})();
