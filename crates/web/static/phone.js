// What every page does on a phone, all optional (pages work without script):
// - filters fold away under 600 px (the <details class="fold"> around a list's filters);
// - photos are made smaller in the browser before they are sent, and a form whose photos are
//   still too big is stopped with a message instead of failing on the server, keeping what
//   was typed.
(function () {
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  if (narrow) {
    Array.prototype.forEach.call(document.querySelectorAll("details.fold[open]"), function (fold) {
      fold.removeAttribute("open");
    });
  }

  var LONGEST = 2048;       // pixels of the longer side, enough to see the problem
  var QUALITY = 0.85;
  var BUDGET = 48 * 1024 * 1024;  // below the server's 64 MB for a whole form

  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\//.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < 1024 * 1024) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      }, function () { resolve(file); });
    });
  }

  function message(form, text) {
    var note = form.querySelector(".photo-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "notice error photo-note";
      note.setAttribute("role", "alert");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = text;
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=file]"), function (input) {
    var form = input.form;
    input.addEventListener("change", function () {
      if (!window.DataTransfer || input.files.length === 0) { return; }
      form.dataset.shrinking = "yes";
      Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
        delete form.dataset.shrinking;
      });
    });
    form.addEventListener("submit", function (event) {
      var total = 0;
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (field) {
        Array.prototype.forEach.call(field.files, function (file) { total += file.size; });
      });
      if (form.dataset.shrinking || total > BUDGET) {
        event.preventDefault();
        event.stopImmediatePropagation();
        message(form, form.dataset.shrinking ? document.body.dataset.photosBusy : document.body.dataset.photosTooBig);
      }
    });
  });
})();
