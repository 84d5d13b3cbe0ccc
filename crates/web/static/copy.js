// The follow page's copy button: copies the follow link (shown only where the browser can).
(function () {
  var button = document.getElementById("copy-link");
  var status = document.getElementById("copy-status");
  if (!button || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      status.textContent = button.dataset.copied;
    }, function () {
      var range = document.createRange();
      range.selectNodeContents(document.getElementById("follow-link"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    });
  });
})();
