// The report form's helpers, all optional (the form works without script):
// - "use my location" fills longitude and latitude from the phone's position;
// - tapping the grid map fills them from the tapped point (the map carries its projection);
// - typing in the category search narrows the category list and picks the first match;
// - only the questions of the category chosen are shown.
// Messages come from data attributes, so they are translated with the page.
(function () {
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var map = document.getElementById("pick-map");
  var marker = document.getElementById("pick-marker");

  function mark(lonValue, latValue) {
    if (!map || !marker) { return; }
    var d = map.dataset;
    var x = Number(d.margin) + (lonValue - Number(d.minLon)) * Number(d.kx);
    var y = Number(d.margin) + (Number(d.maxLat) - latValue) * Number(d.k);
    marker.setAttribute("cx", x.toFixed(1));
    marker.setAttribute("cy", y.toFixed(1));
    marker.setAttribute("visibility", "visible");
  }

  var button = document.getElementById("locate-me");
  if (button && navigator.geolocation) {
    var status = document.getElementById("locate-status");
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        lon.value = position.coords.longitude.toFixed(6);
        lat.value = position.coords.latitude.toFixed(6);
        mark(position.coords.longitude, position.coords.latitude);
        status.textContent = button.dataset.located;
      }, function () {
        status.textContent = button.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  if (map && lon && lat) {
    map.addEventListener("click", function (event) {
      var point = map.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(map.getScreenCTM().inverse());
      var d = map.dataset;
      var lonValue = Number(d.minLon) + (local.x - Number(d.margin)) / Number(d.kx);
      var latValue = Number(d.maxLat) - (local.y - Number(d.margin)) / Number(d.k);
      lon.value = lonValue.toFixed(6);
      lat.value = latValue.toFixed(6);
      mark(lonValue, latValue);
    });
  }

  var search = document.getElementById("category-search");
  var select = document.getElementById("category");
  var questions = document.querySelectorAll("fieldset.questions");
  function showQuestions() {
    Array.prototype.forEach.call(questions, function (set) {
      set.hidden = set.dataset.category !== select.value;
    });
  }
  if (select) {
    select.addEventListener("change", showQuestions);
    showQuestions();
  }
  if (search && select) {
    search.addEventListener("input", function () {
      var words = search.value.trim();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var shown = option.value === "" || words === "" || option.text.indexOf(words) !== -1;
        option.hidden = !shown;
        if (shown && option.value !== "" && first === null) { first = option; }
      });
      if (words !== "" && first !== null) { select.value = first.value; showQuestions(); }
    });
  }
})();
