// The case list's place field, when the reader's reach holds too many communities and grids to
// list in the page: as one types, up to 20 matches are asked of /cases/places.json and offered
// as the field's choices. Without script the field takes a code as typed.
(function () {
  var field = document.querySelector("input[data-places]");
  if (!field || !field.list) { return; }
  var choices = field.list;
  var asked = "";
  var timer = null;
  function ask() {
    var words = field.value.trim();
    if (words === asked || words.length === 0) { return; }
    asked = words;
    fetch(field.dataset.places + "?q=" + encodeURIComponent(words), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (places) {
        while (choices.firstChild) { choices.removeChild(choices.firstChild); }
        places.forEach(function (place) {
          var option = document.createElement("option");
          option.value = place.code;
          option.textContent = place.name;
          choices.appendChild(option);
        });
      })
      .catch(function () {});
  }
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
})();
