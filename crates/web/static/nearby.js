// The resident's report form: once the place is known (typed, located or tapped on the map),
// lists the open reports near it, nearest first (GET /report/nearby.json), so a problem
// already reported is not reported twice. Words come from the section's data attributes.
(function () {
  var section = document.getElementById("nearby");
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  if (!section || !lon || !lat || !window.fetch) { return; }
  var asked = "";

  function show(list) {
    section.textContent = "";
    section.hidden = list.length === 0;
    if (list.length === 0) { return; }
    var title = document.createElement("p");
    title.className = "hint";
    title.textContent = section.dataset.title;
    var items = document.createElement("ul");
    items.className = "plain";
    list.forEach(function (report) {
      var item = document.createElement("li");
      var what = document.createElement("b");
      what.textContent = report.category;
      item.appendChild(what);
      item.appendChild(document.createTextNode(" · " + report.state + " · " +
        section.dataset.meters.replace("{metres}", report.distance_m) + " · " + report.reported_at));
      items.appendChild(item);
    });
    section.appendChild(title);
    section.appendChild(items);
  }

  function look() {
    var place = lon.value.trim() + "," + lat.value.trim();
    if (place === asked || lon.value.trim() === "" || lat.value.trim() === "") { return; }
    asked = place;
    var query = "?lon=" + encodeURIComponent(lon.value.trim()) + "&lat=" + encodeURIComponent(lat.value.trim());
    fetch("/report/nearby.json" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(show, function () { /* offline or refused: nothing to add */ });
  }

  // The place is filled by typing, by the phone's position and by a tap on the map (which
  // sets the fields without an event): look whenever it changes.
  window.setInterval(look, 800);
})();
