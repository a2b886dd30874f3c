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
