// Live pages (the wall screen, the inbox): follows the page's event stream (data-live) and
// swaps each event's HTML in as the page's live part. A count in the live part (data-count)
// goes into the title; when it grows and the reader turned the sound on (data-sound, kept in
// this browser), a short tone plays, made here, so no sound file is fetched. Without scripts
// or EventSource the page is still whole; it just does not move.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) {
    return;
  }
  var title = document.title;
  var sound = document.querySelector("[data-sound]");
  var key = "jiedao.sound";
  var audio = null;

  function tone() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      audio = audio || new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.3);
    } catch (ignored) {
      // No sound in this browser: the title still shows the count.
    }
  }

  function count() {
    var found = live.querySelector("[data-count]");
    return found ? parseInt(found.getAttribute("data-count"), 10) || 0 : null;
  }

  function badge(n) {
    document.title = n > 0 ? "(" + n + ") " + title : title;
  }

  if (sound) {
    try {
      sound.checked = window.localStorage.getItem(key) === "on";
    } catch (ignored) {
      sound.checked = false;
    }
    sound.addEventListener("change", function () {
      try {
        window.localStorage.setItem(key, sound.checked ? "on" : "off");
      } catch (ignored) {
        // Not kept; it holds for this page.
      }
      if (sound.checked) {
        tone();
      }
    });
  }

  var last = count();
  if (last !== null) {
    badge(last);
  }
  var updates = 0;
  var source = new EventSource(live.getAttribute("data-live"));
  source.addEventListener("live", function (event) {
    live.innerHTML = event.data;
    updates += 1;
    live.setAttribute("data-updates", String(updates));
    var n = count();
    if (n !== null) {
      badge(n);
      if (last !== null && n > last && sound && sound.checked) {
        tone();
      }
      last = n;
    }
  });
})();
