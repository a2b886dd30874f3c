// Masks fields marked data-secret (the access key) and adds a show/hide toggle button next to
// each. Without JavaScript the field stays plain text, so the key can still be checked by eye.
(function () {
  document.querySelectorAll("input[data-secret]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secret-toggle";
    button.setAttribute("aria-controls", input.id);
    function show(visible) {
      input.type = visible ? "text" : "password";
      button.textContent = visible ? input.getAttribute("data-hide") : input.getAttribute("data-show");
      button.setAttribute("aria-pressed", visible ? "true" : "false");
    }
    button.addEventListener("click", function () {
      show(input.type === "password");
      input.focus();
    });
    input.insertAdjacentElement("afterend", button);
    show(false);
  });
})();
