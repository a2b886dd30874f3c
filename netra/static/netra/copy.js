// Copy buttons on the receipt page (shown only when the clipboard API is available).
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        button.setAttribute("data-copied", "true");
        button.textContent = button.getAttribute("data-done") || button.textContent;
      });
    });
  });
})();
