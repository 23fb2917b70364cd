// A fast synchronous string hash (cyrb53, twice with different seeds: ~106 bits) for layout
// cache keys. Synchronous and identical in Node and the browser, which crypto.subtle is not.
// A collision could only show a stale layout: cached entries are checked against the node ids
// and sizes they are used for (see layout.ts), so it can never draw a wrong graph.

function cyrb53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

export function hashString(text: string): string {
  return cyrb53(text, 0) + cyrb53(text, 0x9e3779b9);
}
