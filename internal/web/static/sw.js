// Sen patient app service worker: caches the app shell (stylesheet, script,
// icon) and the last pages seen, so the app opens on a slow or absent
// connection. Pages are fetched network-first; dose confirmations (POST)
// always go to the network.
var CACHE = 'sen-me-v1';
var SHELL = ['/static/app.css', '/static/me.js', '/static/icon.svg', '/me/manifest.webmanifest'];
self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }));
  self.skipWaiting();
});
self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (ks) {
    return Promise.all(ks.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }));
});
self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (url.pathname.indexOf('/static/') === 0) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (url.pathname.indexOf('/me') === 0) {
    e.respondWith(fetch(req).then(function (res) {
      var copy = res.clone();
      if (res.ok) caches.open(CACHE).then(function (c) { c.put(req, copy); });
      return res;
    }).catch(function () { return caches.match(req); }));
  }
});
// A medication reminder sent by Web Push: show it; a tap opens the app.
self.addEventListener('push', function (e) {
  var n = {};
  try { n = e.data ? e.data.json() : {}; } catch (err) { n = { body: e.data ? e.data.text() : '' }; }
  e.waitUntil(self.registration.showNotification(n.title || 'Sen', {
    body: n.body || '', tag: n.tag || 'sen', icon: '/static/icon.svg', data: { url: n.url || '/me' }
  }));
});
self.addEventListener('notificationclick', function (e) {
  e.notification.close();
  var url = (e.notification.data && e.notification.data.url) || '/me';
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then(function (ws) {
    for (var i = 0; i < ws.length; i++) {
      if (ws[i].url.indexOf(self.location.origin + '/me') === 0 && 'focus' in ws[i]) return ws[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
