// The report form's helpers, all optional (the form works without script):
// - "use my location" fills longitude and latitude from the phone's position;
// - the position found is shown on the map (map.js, which also fills them from a tap);
// - typing in the category search narrows the category list and picks the first match;
// - only the questions of the category chosen are shown.
// Messages come from data attributes, so they are translated with the page.
(function () {
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");

  function mark(lonValue, latValue) {
    if (window.jiedaoMap) { window.jiedaoMap.mark(lonValue, latValue); }
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
