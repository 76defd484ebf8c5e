// Schedule preview without a page reload: post the form with
// action=preview and swap in the server-rendered preview block. Without
// JavaScript the Preview button does the same with a full page.
(function () {
  var form = document.getElementById('rx-form');
  if (!form || !window.fetch || !window.DOMParser) return;
  var timer;
  function refresh() {
    var data = new FormData(form);
    data.set('action', 'preview');
    fetch(form.action, { method: 'POST', body: new URLSearchParams(data), credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('rx-preview');
        var cur = document.getElementById('rx-preview');
        if (fresh && cur) cur.innerHTML = fresh.innerHTML;
      })
      .catch(function () {});
  }
  form.addEventListener('change', function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
})();
