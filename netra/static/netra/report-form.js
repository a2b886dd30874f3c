// Narrows the kab/kota picker to the chosen province. Without JavaScript the picker lists every
// kab/kota grouped by province, so the form still works.
(function () {
  var province = document.getElementById("id_province");
  var regency = document.getElementById("id_region_code");
  if (!province || !regency) return;
  var groups = Array.prototype.slice.call(regency.querySelectorAll("optgroup"));
  function narrow() {
    var chosen = province.options[province.selectedIndex];
    var name = chosen && chosen.value ? chosen.text : "";
    groups.forEach(function (group) {
      var show = !name || group.label === name;
      group.hidden = !show;
      group.disabled = !show;
    });
    var selected = regency.options[regency.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      regency.value = "";
    }
  }
  province.addEventListener("change", narrow);
  narrow();
})();

// Offline (issue #15, item 5). With no connection, "Kirim laporan" keeps the report — its fields
// and photos up to data-offline-max-bytes — in this device's IndexedDB, and sends it when the
// connection returns: first in the background with the form's single-use submission token (the
// server makes at most one report of it), then, accepted, the same token again as an ordinary form
// POST without the files, which the server answers with the one-time receipt. The stored copy is
// deleted as soon as the server has answered. Without JavaScript nothing here runs.
(function () {
  var form = document.getElementById("report-form");
  var notice = document.getElementById("offline-notice");
  if (!form || !notice || !window.indexedDB || !window.fetch || !window.FormData) return;
  if ("serviceWorker" in navigator && form.dataset.sw) {
    navigator.serviceWorker.register(form.dataset.sw).catch(function () {});
  }
  var limit = parseInt(form.dataset.offlineMaxBytes, 10) || 0;

  function database() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("netra-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("reports", { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("reports", mode);
        var request = work(tx.objectStore("reports"));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function freshToken() {
    var bytes = new Uint8Array(24);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function say(text) {
    notice.textContent = text;
    notice.hidden = false;
  }
  // A page opened from the service worker's copy carries the copy's token: never share one.
  if (navigator.onLine === false && form.elements.submission) form.elements.submission.value = freshToken();

  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) return; // connected: the ordinary POST
    if (event.submitter && event.submitter.name === "switch_language") return;
    event.preventDefault();
    var data = new FormData(form);
    var entries = [];
    var size = 0;
    data.forEach(function (value, name) {
      if (typeof value !== "string") {
        if (!value.size) return;
        size += value.size;
      }
      entries.push([name, value]);
    });
    if (size > limit) {
      say(form.dataset.offlineTooBig);
      return;
    }
    store("readwrite", function (s) {
      return s.put({ id: String(data.get("submission") || freshToken()), action: form.action, entries: entries });
    }).then(function () {
      say(form.dataset.offlineQueued);
      form.reset();
      if (form.elements.submission) form.elements.submission.value = freshToken();
    }, function () {});
  });

  function replay(item, withFiles) {
    var target = document.createElement("form");
    target.method = "post";
    target.enctype = "multipart/form-data";
    target.action = item.action;
    target.hidden = true;
    var files = {};
    item.entries.forEach(function (entry) {
      if (typeof entry[1] === "string") {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = entry[0];
        input.value = entry[1];
        target.appendChild(input);
      } else if (withFiles) {
        (files[entry[0]] = files[entry[0]] || new DataTransfer()).items.add(entry[1]);
      }
    });
    Object.keys(files).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "file";
      input.name = name;
      input.multiple = true;
      input.files = files[name].files;
      target.appendChild(input);
    });
    document.body.appendChild(target);
    target.submit();
  }

  var sending = false;
  function sendQueued() {
    if (sending || navigator.onLine === false) return;
    sending = true;
    store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      if (!items || !items.length) return;
      var item = items[0];
      var body = new FormData();
      item.entries.forEach(function (entry) { body.append(entry[0], entry[1]); });
      say(form.dataset.offlineSending);
      return fetch(item.action, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          // A redirect is the accepted report; anything else (a mistake, a limit) is shown by the
          // ordinary page, files and all. Either way the server has it now: the device forgets it.
          var accepted = response.type === "opaqueredirect";
          return store("readwrite", function (s) { return s.delete(item.id); }).then(function () {
            replay(item, !accepted);
          });
        });
    }).catch(function () {}).then(function () { sending = false; });
  }
  window.addEventListener("online", sendQueued);
  sendQueued();
})();

// A file over the size limit is refused as soon as it is chosen, with the reason next to the
// picker: on a slow connection the server's refusal (netra/cases/evidence.py, still the rule)
// would come only after minutes of uploading. The other chosen files stay chosen.
(function () {
  var input = document.getElementById("id_evidence");
  if (!input || !input.dataset.maxBytes || !input.dataset.tooBig) return;
  var max = parseInt(input.dataset.maxBytes, 10);
  var note = document.createElement("p");
  note.className = "error";
  note.id = "id_evidence_too_big";
  note.setAttribute("role", "alert");
  note.hidden = true;
  input.insertAdjacentElement("afterend", note);
  function megabytes(size) {
    return (size / (1024 * 1024)).toFixed(1).replace(".", ",").replace(/,0$/, "");
  }
  input.addEventListener("change", function () {
    var keep = [];
    var refused = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      (file.size > max ? refused : keep).push(file);
    });
    note.hidden = refused.length === 0;
    note.textContent = refused.map(function (file) {
      return input.dataset.tooBig
        .replace("%(file)s", file.name)
        .replace("%(size)s", megabytes(file.size))
        .replace("%(max)s", megabytes(max));
    }).join(" ");
    if (!refused.length) return;
    try {
      var kept = new DataTransfer();
      keep.forEach(function (file) { kept.items.add(file); });
      input.files = kept.files;
    } catch (error) {
      input.value = "";
    }
  });
})();
