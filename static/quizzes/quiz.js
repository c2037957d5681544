// Progressive enhancement of the quiz form: autosave after changes, and a countdown to the deadline.
// Without JavaScript the form's Save and Submit buttons do the same; the server enforces the deadline.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;
  var saving = false;
  var pending = false;

  function show(text) { if (status) status.textContent = text; }

  function autosave() {
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    data.set("action", "autosave");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 409) { window.location.reload(); return; }
        return response.json().then(function (body) {
          show(response.ok ? "Saved " + new Date().toLocaleTimeString() : (body.detail || "Not saved"));
        });
      })
      .catch(function () { show("Not saved: no connection. Your answers stay in the page."); })
      .then(function () { saving = false; if (pending) { pending = false; autosave(); } });
  }

  function later() { clearTimeout(timer); timer = setTimeout(autosave, 800); show("Unsaved changes…"); }
  form.addEventListener("change", later);
  form.addEventListener("input", later);

  var clock = document.querySelector("[data-deadline-seconds]");
  if (clock) {
    var end = Date.now() + 1000 * parseInt(clock.getAttribute("data-deadline-seconds"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 0) { window.location.reload(); return; }  // the server submits what was saved
      if (left === 5) autosave();
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
