// Grid workers' forms without a signal (网格员离线上报): a form marked data-queue (the grid
// report, the visit, the on-site check) that is sent while the phone is offline is kept in
// the phone (IndexedDB, photos included) and sent when the network returns, oldest first.
// Each form carries a key made here (intake_key) that the server records, so a form sent
// twice (an answer lost on the way) is still one report or visit; a check moves a case only
// once anyway. The queue is shown at the top of every page until it is empty.
// Words come from <body data-queue-*> attributes, translated with the page.
(function () {
  if (!window.indexedDB || !window.fetch || !window.FormData) { return; }
  var words = document.body.dataset;
  var STORE = "forms";

  function key() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("jiedao-queue", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }

  // A queue line's state as the person reads it.
  var notes = {};

  function draw(items) {
    var panel = document.getElementById("offline-queue");
    var shown = items.length > 0 || Object.keys(notes).length > 0;
    if (!shown) { if (panel) { panel.remove(); } return; }
    if (!panel) {
      panel = document.createElement("section");
      panel.id = "offline-queue";
      panel.className = "card queue";
      panel.setAttribute("role", "status");
      var main = document.querySelector("main");
      main.insertBefore(panel, main.firstChild);
    }
    panel.textContent = "";
    var title = document.createElement("h2");
    title.textContent = words.queueTitle.replace("{count}", String(items.length));
    panel.appendChild(title);
    var list = document.createElement("ul");
    list.className = "plain";
    items.forEach(function (item) {
      var line = document.createElement("li");
      line.dataset.queued = String(item.id);
      line.textContent = item.label + " · " + item.at + " · " + (notes[item.id] || words.queueWaiting);
      list.appendChild(line);
    });
    Object.keys(notes).forEach(function (id) {
      if (items.some(function (item) { return String(item.id) === id; })) { return; }
      var line = document.createElement("li");
      line.textContent = notes[id];
      list.appendChild(line);
    });
    panel.appendChild(list);
  }

  function refresh() { return all().then(draw); }

  function body(item) {
    if (item.multipart) {
      var data = new FormData();
      item.fields.forEach(function (pair) {
        if (pair[1] instanceof Blob) { data.append(pair[0], pair[1], pair[2]); } else { data.append(pair[0], pair[1]); }
      });
      return data;
    }
    var params = new URLSearchParams();
    item.fields.forEach(function (pair) { params.append(pair[0], pair[1]); });
    return params;
  }

  var sending = false;
  function flush() {
    if (sending || !navigator.onLine) { return; }
    sending = true;
    all().then(function (items) {
      var next = function (index) {
        if (index >= items.length) { return Promise.resolve(); }
        var item = items[index];
        notes[item.id] = words.queueSending;
        draw(items);
        // A send the network swallows is given up after a minute and tried again later.
        var abort = window.AbortController ? new AbortController() : null;
        var timer = abort ? window.setTimeout(function () { abort.abort(); }, 60000) : null;
        return fetch(item.url, { method: "POST", body: body(item), credentials: "same-origin",
                                 signal: abort ? abort.signal : undefined })
          .finally(function () { if (timer) { window.clearTimeout(timer); } })
          .then(function (response) {
            notes[item.id] = response.ok ? item.label + " · " + words.queueSent
              : item.label + " · " + words.queueRefused + " (" + response.status + ")";
            return run("readwrite", function (store) { return store.delete(item.id); });
          })
          .then(function () { items = items.filter(function (i) { return i.id !== item.id; }); draw(items); return next(index); });
      };
      return next(0);
    }).catch(function () { /* the network went again: what is left waits */ })
      .then(function () { sending = false; return refresh(); });
  }

  function keep(form) {
    var multipart = (form.enctype || "").indexOf("multipart") === 0;
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) {
        if (value.size > 0) { fields.push([name, value, value.name]); }
      } else {
        fields.push([name, value]);
      }
    });
    var now = new Date();
    var item = {
      url: form.action,
      label: form.dataset.queue,
      at: now.toLocaleString(),
      multipart: multipart,
      fields: fields
    };
    return run("readwrite", function (store) { return store.add(item); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-queue]"), function (form) {
    var field = form.querySelector("input[name=intake_key]");
    if (field && !field.value) { field.value = key(); }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      keep(form).then(function () {
        form.reset();
        if (field) { field.value = key(); }
        return refresh();
      });
    });
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", refresh);
  refresh().then(flush);
})();
