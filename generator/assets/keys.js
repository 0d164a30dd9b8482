/* The content keys on this device: IndexedDB "recovery-plan", store "keys", one CryptoKey per
 * "<site scope> <build>". Its readers: the pages' unlock.js (loaded after this file) and the
 * worker's private part, sw-private.js (generator/private.py writes this file into sw.js first). */

/* exported withKeys */

/* Run `work(store)` in one transaction (mode "readonly" or "readwrite") and resolve, once it is
 * complete, with the `result` of the request `work` returns (if any). */
function withKeys(mode, work) {
  "use strict";

  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("recovery-plan", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("keys");
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      const transaction = db.transaction("keys", mode);
      const request = work(transaction.objectStore("keys"));
      transaction.oncomplete = () => {
        db.close();
        resolve(request?.result);
      };
      transaction.onerror = transaction.onabort = () => {
        db.close();
        reject(transaction.error);
      };
    };
  });
}
