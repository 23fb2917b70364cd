// Keeping less in memory over a large workspace: texts compared by hash rather than kept, and
// data cut from a text copied out of it.

/**
 * A 53-bit hash of a text (cyrb53) with its length: equal texts are recognised without keeping them.
 * Two different texts of the same length colliding is about 1 in 10^15.
 */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${text.length}:${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

/**
 * A deep copy made of fresh strings. A string sliced from a file's text keeps the whole text in
 * memory (V8 sliced strings); facts and findings kept after the text is gone are copied this way.
 * Only for plain JSON data.
 */
export function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
