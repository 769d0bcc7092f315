// Module editor: live preview (debounced POST with the form's CSRF token) and a local backup of
// what is typed, so nothing is lost if the session expires or a save fails. Plain JS, no library.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var target = document.getElementById("live-preview");
  var status = document.getElementById("autosave-status");
  var key = "wired4ex-draft-" + form.dataset.draftId;
  var body = form.querySelector("textarea[name=body]");
  var timer = null;

  var problems = document.getElementById("problems-box");

  function refresh() {
    var data = new FormData(form);
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        // 200: the preview and the checker's problems; 400: the fields the form refuses.
        return response.ok || response.status === 400 ? response.json() : null;
      })
      .then(function (result) {
        if (!result) { return; }
        if (result.html) { target.innerHTML = result.html; }
        if (problems && typeof result.problems === "string") { problems.innerHTML = result.problems; }
      })
      .catch(function () { /* the Preview button still works without this */ });
  }

  function backup() {
    try {
      localStorage.setItem(key, JSON.stringify({ body: body.value, at: Date.now() }));
      if (status) { status.textContent = form.dataset.keptText + " " + new Date().toLocaleTimeString(document.documentElement.lang); }
    } catch (error) { /* storage may be full or disabled */ }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { refresh(); backup(); }, 700);
  });
  form.addEventListener("submit", function () {
    // Keep the copy until the server has the text; it is cleared on the next clean load.
    backup();
  });

  // "Insert" puts an image's Markdown line where the cursor is in the module text.
  Array.prototype.forEach.call(form.querySelectorAll(".insert-image"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var at = body.selectionStart || body.value.length;
      body.value = body.value.slice(0, at) + "\n" + button.dataset.markdown + "\n" + body.value.slice(at);
      body.focus();
      refresh();
      backup();
    });
  });

  try {
    var saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved && saved.body !== body.value) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary";
      button.textContent = form.dataset.restoreText;  // translated in the page
      button.addEventListener("click", function () { body.value = saved.body; button.remove(); refresh(); });
      body.parentNode.insertBefore(button, body);
    } else {
      localStorage.removeItem(key);
    }
  } catch (error) { /* ignore */ }
})();
