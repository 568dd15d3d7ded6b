/* The guide offline (docs/help-centre.md): on install, keep every page of this guide in this
   language; pages come from the network first and from the device when it fails or is slow;
   a search without a network shows the offline page. */
"use strict";
const CACHE = {{ cache|safe }};
const PREFIX = {{ prefix|safe }};
const LIST = {{ list|safe }};
const OFFLINE = {{ offline|safe }};
const SEARCH = {{ search|safe }};
const SLOW_MS = 6000;  // a page slower than this comes from the device when it has it
const AT_ONCE = 4;  // pages fetched together on install: gentle on the server and the phone

const fresh = (url) => new Request(url, { cache: "reload" });

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const list = await (await fetch(LIST, { cache: "no-store" })).json();
    await cache.addAll(list.required.map(fresh));
    await keep(cache, list.pages);
    await self.skipWaiting();
  })());
});

async function keep(cache, urls) {
  const waiting = [...urls];
  const fetcher = async () => {
    while (waiting.length) {
      // An article unpublished since the list was made must not stop the rest being kept.
      await cache.add(fresh(waiting.shift())).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, fetcher));
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event, request, url));
  } else {
    event.respondWith(asset(request));
  }
});

// Styles, script and icons: from the device when kept (a new version has a new cache).
async function asset(request) {
  const kept = await (await caches.open(CACHE)).match(request, { ignoreVary: true });
  return kept || fetch(request);
}

async function page(event, request, url) {
  const cache = await caches.open(CACHE);
  const searching = url.pathname === SEARCH;
  const kept = searching
    ? undefined
    : await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  const network = fetch(request).then((response) => {
    if (response.ok && !searching && !url.search) {
      event.waitUntil(cache.put(request, response.clone()));
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  try {
    if (!kept) return await network;
    const slow = new Promise((resolve, reject) => setTimeout(reject, SLOW_MS));
    return await Promise.race([network, slow]);
  } catch (error) {
    return kept || (await cache.match(OFFLINE, { ignoreVary: true })) || Response.error();
  }
}
