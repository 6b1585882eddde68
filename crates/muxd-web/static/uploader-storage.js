// What the uploader remembers in the browser so a pending upload outlives a reload: each upload's
// record (asset id, upload URL, file facts, offset) in localStorage, and small files themselves
// in IndexedDB (uploader-transfer.js decides which). Every failure (blocked, full, no IndexedDB)
// is quiet: the upload then just cannot resume by itself.

const PENDING_KEY = "muxd-uploader:pending";

export const pending = {
  all() {
    try { return JSON.parse(localStorage.getItem(PENDING_KEY)) || []; } catch { return []; }
  },
  put(record) {
    const rest = pending.all().filter(r => r.assetId !== record.assetId);
    try { localStorage.setItem(PENDING_KEY, JSON.stringify([...rest, record])); } catch { /* full or blocked */ }
  },
  remove(assetId) {
    try {
      localStorage.setItem(PENDING_KEY, JSON.stringify(pending.all().filter(r => r.assetId !== assetId)));
    } catch { /* blocked */ }
  },
};

function idb(mode, act) {
  return new Promise((resolve) => {
    if (!globalThis.indexedDB) return resolve(null);
    const open = indexedDB.open("muxd-uploader", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("files");
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const tx = open.result.transaction("files", mode);
      const request = act(tx.objectStore("files"));
      tx.oncomplete = () => { open.result.close(); resolve(request.result ?? null); };
      tx.onerror = tx.onabort = () => { open.result.close(); resolve(null); };
    };
  });
}
export const files = {
  put: (id, file) => idb("readwrite", s => s.put(file, id)),
  get: (id) => idb("readonly", s => s.get(id)),
  remove: (id) => idb("readwrite", s => s.delete(id)),
};
