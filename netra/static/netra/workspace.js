// Staff workspace: queue selection (select all, count of selected, the merge target among the
// ticked cases), kept across the htmx swaps of the list, and confirmation of irreversible bulk
// actions. Everything works without it; CSP forbids inline scripts.
(function () {
  "use strict";

  // Ticked case ids (value of the checkbox) → their number; survives every swap of #queue, so a
  // search or a tab change never undoes a tick.
  var selection = new Map();

  function boxes(form) {
    return form.querySelectorAll('input[name="cases"]');
  }

  function rebuildTarget(form) {
    var select = form.querySelector("#bulk-into");
    if (!select) return;
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    boxes(form).forEach(function (box) {
      if (!box.checked) return;
      var option = document.createElement("option");
      option.value = box.dataset.number || box.value;
      option.textContent = box.dataset.number || box.value;
      select.appendChild(option);
    });
    select.value = chosen;
    if (select.value !== chosen) select.value = "";
  }

  function refresh(form) {
    var all = boxes(form);
    var checked = form.querySelectorAll('input[name="cases"]:checked').length;
    var counter = form.querySelector(".selected-count");
    var bar = form.querySelector(".bulk-bar");
    var selectAll = form.querySelector(".select-all");
    if (counter && checked) {
      counter.textContent = counter.dataset.template.replace("{n}", checked);
    } else if (counter) {
      counter.textContent = counter.dataset.empty || counter.textContent;
    }
    if (bar) bar.classList.toggle("idle", checked === 0);
    if (selectAll) {
      selectAll.checked = checked > 0 && checked === all.length;
      selectAll.indeterminate = checked > 0 && checked < all.length;
    }
    rebuildTarget(form);
  }

  function remember(box) {
    if (box.checked) selection.set(box.value, box.dataset.number || box.value);
    else selection.delete(box.value);
  }

  function init() {
    var form = document.getElementById("bulk");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var counter = form.querySelector(".selected-count");
    if (counter) counter.dataset.empty = counter.textContent;
    boxes(form).forEach(function (box) {
      if (selection.has(box.value)) box.checked = true; // ticked before the list was swapped
      remember(box); // ticked by the server (a refused action keeps its selection)
    });
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("select-all")) {
        boxes(form).forEach(function (box) {
          box.checked = event.target.checked;
          remember(box);
        });
      } else if (event.target.name === "cases") {
        remember(event.target);
      }
      if (event.target.name === "cases" || event.target.classList.contains("select-all")) refresh(form);
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
    stickUnderBar(form);
  }

  // The column heads stick just below the sticky bulk bar, whatever height it wraps to.
  function stickUnderBar(form) {
    var bar = form.querySelector(".bulk-bar");
    if (!bar) return;
    var set = function () {
      var sticky = window.getComputedStyle(bar).position === "sticky";
      form.style.setProperty("--bulk-h", sticky ? bar.offsetHeight + "px" : "0px");
    };
    set();
    if (window.ResizeObserver) new window.ResizeObserver(set).observe(bar);
  }

  function initTabSelect() {
    var select = document.querySelector("[data-tab-select]");
    if (!select || select.dataset.ready) return;
    select.dataset.ready = "1";
    select.addEventListener("change", function () {
      window.location.assign(select.value);
    });
  }

  function ready() {
    init();
    initTabSelect();
  }

  document.addEventListener("DOMContentLoaded", ready);
  // The queue list is swapped by htmx when filters change.
  document.addEventListener("htmx:afterSettle", ready);
})();
