// Staff workspace: queue selection (select all, count of selected) and confirmation of
// irreversible bulk actions. Everything works without it; CSP forbids inline scripts.
(function () {
  "use strict";

  function refresh(form) {
    var boxes = form.querySelectorAll('input[name="cases"]');
    var checked = form.querySelectorAll('input[name="cases"]:checked').length;
    var counter = form.querySelector(".selected-count");
    var bar = form.querySelector(".bulk-bar");
    var all = form.querySelector(".select-all");
    if (counter && checked) {
      counter.textContent = counter.dataset.template.replace("{n}", checked);
    } else if (counter) {
      counter.textContent = counter.dataset.empty || counter.textContent;
    }
    if (bar) bar.classList.toggle("idle", checked === 0);
    if (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  function init() {
    var form = document.getElementById("bulk");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var counter = form.querySelector(".selected-count");
    if (counter) counter.dataset.empty = counter.textContent;
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("select-all")) {
        form.querySelectorAll('input[name="cases"]').forEach(function (box) {
          box.checked = event.target.checked;
        });
      }
      refresh(form);
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var checked = form.querySelectorAll('input[name="cases"]:checked').length;
      if (!checked) {
        event.preventDefault();
        window.alert(form.dataset.noneSelected || "Pilih kasus terlebih dahulu.");
        return;
      }
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm.replace("{n}", checked))) {
        event.preventDefault();
      }
    });
    refresh(form);
  }

  document.addEventListener("DOMContentLoaded", init);
  // The queue list is swapped by htmx when filters change.
  document.addEventListener("htmx:afterSettle", init);
})();
