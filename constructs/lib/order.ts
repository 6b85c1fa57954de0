/**
 * The one ordering of rendered output: by UTF-16 code unit, as `<` compares
 * strings. Never `localeCompare`: its order follows the machine's locale
 * (under LANG=et_EE.UTF-8, "z" sorts before "t"), so checksums and files
 * would change from one machine to the next.
 */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries of a record sorted by key, by code point. */
export function sortedEntries<V>(record: Readonly<Record<string, V>>): Array<[string, V]> {
  return Object.entries(record).sort(([a], [b]) => compareCodePoints(a, b));
}
