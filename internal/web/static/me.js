// Register the service worker that keeps the app shell available offline.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/me/sw.js', { scope: '/me' }).catch(function () {});
}
// Reminders by Web Push: when the server offers them (the today page
// carries its VAPID key) and the browser can, a button subscribes this
// browser; an existing subscription is sent again so the server keeps it.
(function () {
  var box = document.getElementById('push');
  if (!box || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return;
  var on = document.getElementById('push-on'), done = document.getElementById('push-done'), fail = document.getElementById('push-fail');
  function key(s) {
    var b = atob((s + '===='.slice(s.length % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    var a = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) a[i] = b.charCodeAt(i);
    return a;
  }
  function save(sub) {
    return fetch('/me/push', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(sub) }).then(function (r) { if (!r.ok) throw new Error('push ' + r.status); });
  }
  function show(el) { on.hidden = true; done.hidden = el !== done; fail.hidden = el !== fail; }
  navigator.serviceWorker.ready.then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      if (sub && Notification.permission === 'granted') return save(sub).then(function () { show(done); });
      if (Notification.permission === 'denied') return show(fail);
      on.hidden = false;
      on.addEventListener('click', function () {
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.getAttribute('data-key')) })
          .then(save).then(function () { show(done); }, function () { show(fail); });
      });
    });
  }).catch(function () {});
})();
