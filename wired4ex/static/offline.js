/* Registers the service worker (static/sw.js) and asks it to send answers kept on the phone;
   on "Courses saved on this phone", lists what this phone keeps. Pages work without it. */
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', {scope: '/'}).catch(function () {});
  navigator.serviceWorker.ready.then(function (reg) {
    if (navigator.onLine && reg.active) reg.active.postMessage('send');
  });
  var list = document.getElementById('saved-courses');
  if (!list || !window.indexedDB) return;
  var open = indexedDB.open('w4x', 1);
  open.onupgradeneeded = function () {
    open.result.createObjectStore('kv');
    open.result.createObjectStore('out', {keyPath: 'id'});
  };
  open.onsuccess = function () {
    var db = open.result, t = db.transaction(['kv', 'out']), kv = t.objectStore('kv');
    kv.get('member').onsuccess = function (e) {
      var m = e.target.result;
      if (!m) return;
      kv.get('saved:' + m).onsuccess = function (e) { show(e.target.result || {}); };
      t.objectStore('out').getAll().onsuccess = function (e) {
        var n = e.target.result.filter(function (o) { return o.member === m; }).length;
        var box = document.querySelector('[data-pending]');
        if (n && box) { box.querySelector('[data-count]').textContent = n; box.hidden = false; }
      };
    };
  };
  function show(saved) {
    var row = document.getElementById('saved-row'), lang = document.documentElement.lang;
    Object.keys(saved).forEach(function (key) {
      var s = saved[key], li = row.content.cloneNode(true), a = li.querySelector('a');
      a.href = s.url;
      li.querySelectorAll('[data-title]').forEach(function (el) { el.textContent = s.title; });
      li.querySelector('[data-size]').textContent = s.text;
      var when = li.querySelector('time'), at = new Date(s.at);
      when.dateTime = at.toISOString();
      when.textContent = at.toLocaleString(lang, {dateStyle: 'long', timeStyle: 'short'});
      li.querySelector('input[name=course]').value = key;
      list.appendChild(li);
    });
    if (list.children.length) document.querySelector('[data-saved-empty]').hidden = true;
  }
})();
