// Offline queue for home-visit forms (Sen community care). A submitted
// visit is kept in localStorage under its client-generated id and sent as
// an idempotent PUT; anything not yet acknowledged is retried when the
// browser comes back online or the page loads. Replays are safe: the
// server derives every resource id from the visit id.
(function () {
  "use strict";
  var KEY = "sen.visitQueue";
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function store(q) { localStorage.setItem(KEY, JSON.stringify(q)); }
  function status(text) {
    var el = document.getElementById("cp-status");
    if (el) { el.textContent = text; }
  }
  var sending = false;
  function flush() {
    if (sending || !navigator.onLine) { return; }
    var q = load(), ids = Object.keys(q);
    if (!ids.length) { return; }
    sending = true;
    var id = ids[0];
    fetch("/app/community/visits/" + encodeURIComponent(id), {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(q[id])
    }).then(function (r) {
      sending = false;
      if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 408 && r.status !== 429)) {
        // Done, or refused for good (invalid): keep the queue moving. A
        // refusal is shown so the worker can re-enter the visit.
        var q2 = load(); delete q2[id]; store(q2);
        if (!r.ok) { return r.json().then(function (b) { status((b && b.error) || r.statusText); }); }
        var form = document.getElementById("cp-visit");
        if (form) { status(form.dataset.sent); }
        flush();
      }
    }).catch(function () { sending = false; });
  }
  var form = document.getElementById("cp-visit");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var id = form.action.split("/").pop();
      var data = {};
      new FormData(form).forEach(function (v, k) { data[k] = String(v); });
      var q = load(); q[id] = data; store(q);
      status(form.dataset.queued);
      form.querySelector("button[type=submit]").disabled = true;
      flush();
    });
    var pending = Object.keys(load()).length;
    if (pending) { status(form.dataset.pending + ": " + pending); }
  }
  var p = document.querySelector("[data-print]");
  if (p) { p.addEventListener("click", function () { window.print(); }); }
  window.addEventListener("online", flush);
  flush();
})();
