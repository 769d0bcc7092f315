/* Wired4EX service worker (served as /sw.js, scope "/"). It only adds: every page works without.
   - Keeps the stylesheet, the mark, the icons and an offline page.
   - "Save for offline" (POST .../save-offline) keeps a course's pages and images in the cache of
     the member who saved it; "Remove" drops them; logging out, or another member signing in,
     drops them too.
   - Pages come from the network; without one, a saved page opens with a banner saying so.
   - A knowledge check or "Mark as done" posted without a connection is kept (IndexedDB) with its
     signed answer sheet and the time, and sent to /offline/sync when the connection is back
     (Background Sync, or the next page load). */
const STATIC = 'w4x-static-1';
const SHELL = ['/static/site.css', '/static/logo.svg', '/static/favicon.svg', '/static/icon-192.png', '/static/offline.js', '/offline'];
const MEMBER = 'w4x-m-';
// The forms handled here: save, answer, mark done, remove, log out.
const OURS = /^\/courses\/[^/]+\/[^/]+\/([^/]+\/(quiz|complete)|save-offline)$|^\/offline\/saved\/remove$|^\/logout$/;
const SAVE = {credentials: 'same-origin', headers: {'X-W4X-Save': '1'}};

self.addEventListener('install', (e) => e.waitUntil(
  caches.open(STATIC)
    .then((c) => c.addAll(SHELL.map((u) => new Request(u, {credentials: 'omit'}))))
    .then(() => self.skipWaiting())));

self.addEventListener('activate', (e) => e.waitUntil(
  caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('w4x-static-') && k !== STATIC).map((k) => caches.delete(k))))
    .then(() => self.clients.claim())));

// -- IndexedDB: "kv" (member, saved courses, first openings) and "out" (kept submissions) ------
function idb() {
  return new Promise((ok, no) => {
    const r = indexedDB.open('w4x', 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('kv'); r.result.createObjectStore('out', {keyPath: 'id'}); };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
}
function run(store, fn) {
  return idb().then((d) => new Promise((ok, no) => {
    const t = d.transaction(store, 'readwrite'), q = fn(t.objectStore(store));
    t.oncomplete = () => { d.close(); ok(q && q.result); };
    t.onerror = () => { d.close(); no(t.error); };
  }));
}
const get = (k) => run('kv', (s) => s.get(k));
const put = (k, v) => run('kv', (s) => s.put(v, k));
const kept = () => run('out', (s) => s.getAll());

// -- whose saved courses -------------------------------------------------------------------------
async function member(tag) {
  const was = await get('member');
  if (tag && tag !== was) {
    if (was) await forget(was);
    await put('member', tag);
  }
  return tag || was;
}
async function forget(m) {
  await caches.delete(MEMBER + m);
  await run('kv', (s) => { s.delete('saved:' + m); s.delete('opened:' + m); });
}
async function mine(r) {
  const m = await get('member');
  return m ? (await caches.open(MEMBER + m)).match(r, {ignoreSearch: true}) : undefined;
}

// -- requests --------------------------------------------------------------------------------------
self.addEventListener('fetch', (e) => {
  const r = e.request, u = new URL(r.url);
  if (u.origin !== location.origin || u.pathname === '/sw.js') return;
  if (r.method === 'POST') { if (r.mode === 'navigate' && OURS.test(u.pathname)) e.respondWith(post(e, u.pathname)); return; }
  if (r.method !== 'GET') return;
  if (r.mode === 'navigate') e.respondWith(page(e));
  else if (u.pathname.startsWith('/static/')) e.respondWith(shell(e));
  else if (u.pathname.includes('/media/')) e.respondWith(fetch(r).catch(() => mine(r).then((x) => x || Response.error())));
});

async function shell(e) {
  const c = await caches.open(STATIC), hit = await c.match(e.request, {ignoreSearch: true});
  const net = fetch(e.request).then((res) => {
    if (res.ok && SHELL.includes(new URL(e.request.url).pathname)) c.put(e.request, res.clone());
    return res;
  });
  if (hit) { e.waitUntil(net.catch(() => null)); return hit; }
  return net.catch(() => mine(e.request).then((x) => x || Response.error()));
}

async function page(e) {
  try {
    const res = await fetch(e.request);
    const path = new URL(e.request.url).pathname;
    e.waitUntil(member(res.headers.get('X-W4X-Member')).then(send).then(() => refresh(path)).catch(() => null));
    return res;
  } catch (err) {
    const m = await get('member'), path = new URL(e.request.url).pathname;
    const hit = m && await (await caches.open(MEMBER + m)).match(e.request.url, {ignoreSearch: true});
    if (hit) {
      const opened = (await get('opened:' + m)) || {};
      if (!opened[path]) { opened[path] = Date.now(); await put('opened:' + m, opened); }
      return banner(hit, m, path);
    }
    return (await caches.match('/offline', {cacheName: STATIC})) || Response.error();
  }
}

// A saved page served offline: the banner shown, with when the page was saved.
async function banner(res, m, path) {
  const saved = (await get('saved:' + m)) || {};
  const course = Object.values(saved).find((s) => s.urls.includes(path));
  const when = new Date(course ? course.times[path] || course.at : Date.now());
  let html = await res.text();
  const lang = (/<html lang="([\w-]+)"/.exec(html) || [])[1] || 'en';
  let text;
  try { text = new Intl.DateTimeFormat(lang, {dateStyle: 'long', timeStyle: 'short'}).format(when); } catch (err) { text = when.toLocaleString(); }
  html = html.replace('data-offline-banner hidden', 'data-offline-banner')
    .replace('<time data-saved></time>', `<time data-saved datetime="${when.toISOString()}">${text}</time>`);
  return new Response(html, {headers: {'Content-Type': 'text/html; charset=utf-8'}});
}

async function post(e, path) {
  const r = e.request;
  if (path.endsWith('/save-offline')) return save(r, path.slice(0, -12));
  if (path === '/offline/saved/remove') return remove(r);
  if (path === '/logout') {
    await send().catch(() => null);
    const res = await fetch(r);
    const m = await get('member');
    if (m) await forget(m);
    return res;
  }
  const copy = r.clone();
  try { return await fetch(r); } catch (err) { return keep(copy, path); }
}

async function fetchTo(c, u) {
  const res = await fetch(u, SAVE);
  if (!res.ok || res.redirected) throw new Error(u);
  await c.put(u, res);
}

async function save(r, base) {
  try {
    const res = await fetch(base + 'offline.json', {credentials: 'same-origin'});
    if (!res.ok) throw new Error(res.status);
    const man = await res.json(), m = await member(man.member), c = await caches.open(MEMBER + m);
    for (const u of [...man.urls, ...man.shared]) await fetchTo(c, u);
    const saved = (await get('saved:' + m)) || {};
    saved[man.key] = {title: man.title, url: man.url, size: man.size, text: man.size_text, at: Date.now(), urls: man.urls, versions: man.versions, times: {}};
    await put('saved:' + m, saved);
    return Response.redirect('/offline/saved', 303);
  } catch (err) {
    return fetch(r); // the server says the course could not be saved, and offers the PDF
  }
}

async function remove(r) {
  const key = (await r.formData()).get('course'), m = await get('member');
  const saved = (m && (await get('saved:' + m))) || {}, gone = saved[key];
  if (gone) {
    delete saved[key];
    const c = await caches.open(MEMBER + m), still = new Set(Object.values(saved).flatMap((s) => s.urls));
    for (const u of gone.urls) if (!still.has(u)) await c.delete(u);
    await put('saved:' + m, saved);
  }
  return Response.redirect('/offline/saved', 303);
}

// -- answers given offline --------------------------------------------------------------------------
async function keep(r, path) {
  const form = await r.formData(), m = await get('member'), token = form.get('token');
  const fields = [...form.entries()].filter(([k, v]) => typeof v === 'string' && k !== 'csrf_token' && k !== 'submit');
  const opened = ((await get('opened:' + m)) || {})[path.replace(/\/[^/]+$/, '')] || null;
  const waiting = await kept();
  if (!waiting.some((o) => o.path === path && o.token === token)) { // answered once: kept once
    await run('out', (s) => s.put({id: self.crypto.randomUUID(), member: m, path, token, fields, at: Date.now(), opened}));
  }
  if (self.registration.sync) self.registration.sync.register('w4x-send').catch(() => null);
  return Response.redirect('/offline/kept', 303);
}

let sending = null;
function send() {
  sending = sending || flush().catch(() => null).finally(() => { sending = null; });
  return sending;
}
async function flush() {
  const m = await get('member'), waiting = (await kept()).filter((o) => o.member === m);
  if (!waiting.length) return;
  const t = await fetch('/offline/sync', {credentials: 'same-origin', signal: AbortSignal.timeout(20000)});
  if (!t.ok) return;
  const {csrf, member: now} = await t.json();
  if (now !== m) return; // signed in as someone else: their answers wait for them
  for (const o of waiting) {
    const res = await fetch('/offline/sync', {
      method: 'POST', credentials: 'same-origin', signal: AbortSignal.timeout(20000),
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify({id: o.id, path: o.path, fields: o.fields, at: o.at, opened: o.opened}),
    });
    const json = (res.headers.get('Content-Type') || '').includes('json');
    if (json && res.status < 500 && res.status !== 401 && res.status !== 429) await run('out', (s) => s.delete(o.id));
  }
}
self.addEventListener('sync', (e) => { if (e.tag === 'w4x-send') e.waitUntil(send()); });
self.addEventListener('message', (e) => { if (e.data === 'send') e.waitUntil(send().then(() => refresh()).catch(() => null)); });

// -- updated modules are fetched again on the next visit online -------------------------------------
// A saved course is checked when one of its pages is visited, others at most once a minute.
let checked = 0;
async function refresh(path) {
  const m = await get('member');
  if (!m) return;
  const saved = (await get('saved:' + m)) || {}, c = await caches.open(MEMBER + m);
  const visited = Object.values(saved).some((s) => s.urls.includes(path));
  if (!visited && Date.now() - checked < 60000) return;
  checked = Date.now();
  for (const [key, s] of Object.entries(saved)) {
    const res = await fetch(s.url + 'offline.json', {credentials: 'same-origin'});
    if (res.status === 403 || res.status === 404) { delete saved[key]; for (const u of s.urls) await c.delete(u); continue; }
    if (!res.ok) continue;
    const man = await res.json();
    if (man.member !== m) return;
    const changed = man.urls.filter((u) => !s.urls.includes(u) || man.versions[u] !== s.versions[u]);
    if (changed.length) changed.push(man.url);
    for (const u of new Set(changed)) { await fetchTo(c, u); s.times[u] = Date.now(); }
    for (const u of s.urls) if (!man.urls.includes(u)) await c.delete(u);
    Object.assign(s, {title: man.title, size: man.size, text: man.size_text, urls: man.urls, versions: man.versions});
  }
  await put('saved:' + m, saved);
}
