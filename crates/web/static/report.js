// Fills the report form's longitude and latitude from the phone's position. The messages
// come from the button's data attributes, so they are translated with the page.
(function () {
  var button = document.getElementById("locate-me");
  if (!button || !navigator.geolocation) { return; }
  var status = document.getElementById("locate-status");
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("lon").value = position.coords.longitude.toFixed(6);
      document.getElementById("lat").value = position.coords.latitude.toFixed(6);
      status.textContent = button.dataset.located;
    }, function () {
      status.textContent = button.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
