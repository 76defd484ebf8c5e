// Register the service worker that keeps the app shell available offline.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/me/sw.js', { scope: '/me' }).catch(function () {});
}
