/* A private plan's part of the worker (appended to sw.js by generator/private.py).
 *
 * The cache holds the site as published: generic files in the clear, the plan's files as
 * encrypted blobs (vault/*.bin, listed in vault/index.bin). Each response is decrypted as it is
 * served, with the build's content key, which the unlock page (unlock.js) stored in IndexedDB
 * as a non-extractable CryptoKey; nothing decrypted is ever stored. Without the key of this
 * version, the newest older version whose key the device holds is served, and its cache kept,
 * until this one is unlocked; with no key at all, every page is the unlock page.
 */

/* global PREFIX, CACHE, OFFLINE_PAGE, lookup -- from sw.js, which this follows */
/* global withKeys -- from keys.js, between sw.js and this part */

const BUILD = "__BUILD__";
const SCOPE = self.registration.scope;
const KEYS_FILE = "keys.json";
const INDEX_FILE = "vault/index.bin";
const UNLOCK_FILE = "index.html"; // the unlock page, in the clear
const UNLOCK_PATH = "unlock/"; // always the unlock page, e.g. to unlock a newer version
const encoder = new TextEncoder();
let readablePlan = null; // a promise of the plan this device can read, or of null

/* ---- keys: withKeys() from keys.js, which precedes this part ---- */

const storedKey = (build) => withKeys("readonly", (store) => store.get(`${SCOPE} ${build}`));

/* ---- the versions this device holds ---- */

async function decrypt(key, bytes, name) {
  const data = new Uint8Array(bytes);
  const algorithm = { name: "AES-GCM", iv: data.subarray(0, 12), additionalData: encoder.encode(name) };
  return crypto.subtle.decrypt(algorithm, key, data.subarray(12));
}

/* One cached version, if its key is on this device: { name, cache, key, build, files }. */
async function openVersion(name) {
  const cache = await caches.open(name);
  const slots = await cache.match(new URL(KEYS_FILE, SCOPE).href);
  if (!slots) return null;
  const { build } = await slots.json();
  const key = await storedKey(build);
  const index = key && (await cache.match(new URL(INDEX_FILE, SCOPE).href));
  if (!index) return null;
  try {
    const listing = await decrypt(key, await index.arrayBuffer(), INDEX_FILE);
    return { name, cache, key, build, files: JSON.parse(new TextDecoder().decode(listing)).files };
  } catch {
    return null; // a key that does not open this version
  }
}

/* The newest version this device can read: this one, else the newest older one kept. */
async function findReadable() {
  const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE).reverse();
  for (const name of [CACHE, ...older]) {
    const version = await openVersion(name);
    if (version) return version;
  }
  return null;
}

function readable() {
  readablePlan ??= findReadable().catch(() => null);
  return readablePlan;
}

/* ---- responses ---- */

/* The site path of `url` ("" for the root), decoded, without query or fragment. */
function sitePath(url) {
  try {
    return decodeURIComponent(url.pathname).slice(new URL(SCOPE).pathname.length);
  } catch {
    return url.pathname.slice(new URL(SCOPE).pathname.length);
  }
}

async function clearFile(cache, path) {
  return (await cache.match(new URL(path, SCOPE).href)) || fetch(new URL(path, SCOPE));
}

async function reveal(version, path, status = 200) {
  const [blob, type] = version.files[path];
  const url = new URL(blob, SCOPE).href;
  const stored = (await version.cache.match(url)) || (await fetch(url));
  const body = await decrypt(version.key, await stored.arrayBuffer(), blob);
  return new Response(body, { status, headers: { "Content-Type": type } });
}

async function unlockPage() {
  const page = await clearFile(await caches.open(CACHE), UNLOCK_FILE);
  return new Response(page.body, { status: 200, headers: page.headers });
}

async function respond(request, url) {
  const path = sitePath(url);
  const navigate = request.mode === "navigate";
  if (navigate && path === UNLOCK_PATH) return unlockPage();
  if (path === KEYS_FILE) return clearFile(await caches.open(CACHE), KEYS_FILE); // this version's
  const version = await readable();
  if (!version) {
    if (navigate) return unlockPage();
    return (await lookup(await caches.open(CACHE), url)) || fetch(request);
  }
  const folder = path === "" || path.endsWith("/") ? `${path}index.html` : null;
  if (version.files[folder ?? path]) return reveal(version, folder ?? path);
  if (navigate && version.files[`${path}/index.html`]) {
    url.hash = "";
    url.search = "";
    return Response.redirect(`${url.href}/`, 301); // a folder without its slash, as servers do
  }
  const generic = await lookup(version.cache, url);
  if (generic) return generic;
  if (navigate) return reveal(version, OFFLINE_PAGE, 404); // the plan's own "not found" page
  return fetch(request);
}

/* The older cache to keep while this version is locked: the one still readable. */
async function kept() {
  const version = await readable();
  return version && version.name !== CACHE ? [version.name] : [];
}

function message(event) {
  if (event.data === "KEYS") {
    // unlock.js stored or forgot a key: look again; once this version opens, drop the older.
    readablePlan = null;
    event.waitUntil(
      (async () => {
        const version = await readable();
        if (version?.name === CACHE) {
          const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
          await Promise.all(older.map((n) => caches.delete(n)));
        }
        event.source?.postMessage({ keys: "checked" });
      })(),
    );
  } else if (event.data === "STATE" && event.source) {
    event.waitUntil(
      readable().then((version) =>
        event.source.postMessage({ build: BUILD, reading: version?.build ?? null }),
      ),
    );
  }
}

self.vault = { kept, message, respond };
