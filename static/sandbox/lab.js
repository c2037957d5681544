// Live job page: replace the panel with the server's latest rendering until the job finishes.
(function () {
  "use strict";
  var panel = document.getElementById("job-panel");
  if (!panel || panel.dataset.finished === "1") { return; }
  function poll() {
    fetch(panel.dataset.panelUrl, {credentials: "same-origin"}).then(function (response) {
      var finished = response.headers.get("X-Job-Finished") === "1";
      return response.text().then(function (html) {
        panel.innerHTML = html;
        if (!finished) { setTimeout(poll, 700); }
      });
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
