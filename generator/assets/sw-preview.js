/* The offline worker of a live preview (`recovery-plan serve`): a preview must always show the
 * files as they are now, so this worker removes any offline copy and then itself. */
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) await caches.delete(key);
    await self.registration.unregister();
  })());
});
