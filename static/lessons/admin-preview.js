// Live preview of a lesson body in the admin: re-render (server side, sanitized) as the author types.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("id_body");
    var preview = document.getElementById("lesson-preview");
    if (!body || !preview) { return; }
    var timer = null;
    function refresh() {
      var form = new FormData();
      form.append("body", body.value);
      fetch(preview.dataset.previewUrl, {
        method: "POST", body: form, credentials: "same-origin", headers: {"X-CSRFToken": csrfToken()}
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (data.html !== undefined) { preview.innerHTML = data.html; }
      });
    }
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
  });
})();
