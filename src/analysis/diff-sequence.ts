/**
 * Sequence diffs used to show what changed inside a value: edit scripts over
 * lists (Myers' O(ND) algorithm), unified line hunks for multi-line strings,
 * and the differing middle of two long strings.
 */

/** One step of an edit script turning `a` into `b`. Indices are 0-based. */
export type Edit<T> =
  | { op: 'keep'; item: T; aIndex: number; bIndex: number }
  | { op: 'remove'; item: T; aIndex: number }
  | { op: 'add'; item: T; bIndex: number };

/**
 * Beyond this many differences (after trimming the common ends) the middle is
 * reported as removed and re-added: still exact, just not minimal, and it
 * keeps time and memory bounded (the trace grows with the square of it).
 */
const MAX_EDIT_DISTANCE = 2000;

/**
 * A shortest edit script from `a` to `b`, items compared by `key`. Applying
 * it (drop the removed items, insert the added ones at their `bIndex`) turns
 * `a` into `b` exactly.
 */
export function diffSequence<T>(a: readonly T[], b: readonly T[], key: (x: T) => string = (x) => JSON.stringify(x) ?? String(x)): Edit<T>[] {
  // Intern keys as numbers so the inner loop compares integers.
  const ids = new Map<string, number>();
  const intern = (x: T) => {
    const k = key(x);
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    return id;
  };
  const ak = a.map(intern);
  const bk = b.map(intern);
  let start = 0;
  while (start < a.length && start < b.length && ak[start] === bk[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && ak[endA - 1] === bk[endB - 1]) {
    endA--;
    endB--;
  }
  const out: Edit<T>[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'keep', item: a[i], aIndex: i, bIndex: i });
  const middle = myers(ak.slice(start, endA), bk.slice(start, endB));
  for (const [op, i, j] of middle ?? replaceAll(endA - start, endB - start)) {
    if (op === 'keep') out.push({ op, item: a[start + i], aIndex: start + i, bIndex: start + j });
    else if (op === 'remove') out.push({ op, item: a[start + i], aIndex: start + i });
    else out.push({ op, item: b[start + j], bIndex: start + j });
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) out.push({ op: 'keep', item: a[i], aIndex: i, bIndex: j });
  return out;
}

type Step = ['keep' | 'remove' | 'add', number, number];

function replaceAll(n: number, m: number): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < n; i++) out.push(['remove', i, 0]);
  for (let j = 0; j < m; j++) out.push(['add', 0, j]);
  return out;
}

/** Myers' greedy shortest edit script, or undefined beyond MAX_EDIT_DISTANCE. */
function myers(a: number[], b: number[]): Step[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max;
  const v = new Int32Array(2 * max + 2);
  // trace[d] holds v[-d..d] as it was before round d.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_EDIT_DISTANCE); d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number): Step[] {
  const steps: Step[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    if (d === 0) {
      while (x > 0 && y > 0) steps.push(['keep', --x, --y]);
      break;
    }
    const v = trace[d];
    const at = (k: number) => v[k + d];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) steps.push(['keep', --x, --y]);
    if (x === prevX) steps.push(['add', x, prevY]);
    else steps.push(['remove', prevX, y]);
    x = prevX;
    y = prevY;
  }
  return steps.reverse();
}

// ------------------------------------------------------------------ line hunks

/** A line of a unified diff: ` ` context, `-` removed, `+` added. */
export interface DiffLine {
  sign: ' ' | '-' | '+';
  text: string;
}

/** A unified-diff hunk; starts are 1-based line numbers as in `diff -u`. */
export interface Hunk {
  beforeStart: number;
  beforeCount: number;
  afterStart: number;
  afterCount: number;
  lines: DiffLine[];
}

/**
 * The changed lines of two texts as unified-diff hunks with up to `context`
 * unchanged lines around each change. Hunks closer than 2 * context lines are
 * merged, as `diff -u` does.
 */
export function lineHunks(before: string, after: string, context = 2): Hunk[] {
  const edits = diffSequence(before.split('\n'), after.split('\n'), (s) => s);
  const changed = edits.map((e, i) => (e.op === 'keep' ? -1 : i)).filter((i) => i >= 0);
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < changed.length) {
    let last = i;
    // Extend while the next change is within the shared context window.
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 2 * context + 1) last++;
    const from = Math.max(0, changed[i] - context);
    const to = Math.min(edits.length - 1, changed[last] + context);
    const slice = edits.slice(from, to + 1);
    const beforeCount = slice.filter((e) => e.op !== 'add').length;
    const afterCount = slice.filter((e) => e.op !== 'remove').length;
    const beforeSkipped = edits.slice(0, from).filter((e) => e.op !== 'add').length;
    const afterSkipped = edits.slice(0, from).filter((e) => e.op !== 'remove').length;
    hunks.push({
      // As in `diff -u`, an empty side is numbered by the line before it.
      beforeStart: beforeCount === 0 ? beforeSkipped : beforeSkipped + 1,
      beforeCount,
      afterStart: afterCount === 0 ? afterSkipped : afterSkipped + 1,
      afterCount,
      lines: slice.map((e) => ({ sign: e.op === 'keep' ? ' ' : e.op === 'remove' ? '-' : '+', text: e.item })),
    });
    i = last + 1;
  }
  return hunks;
}

// ------------------------------------------------------------------ long strings

/** Where two strings differ: the differing middles with some context around. */
export interface StringDifference {
  /** 0-based offset of the first differing character (UTF-16 units). */
  offset: number;
  /** Text shared before the difference (at most `context` characters). */
  prefix: string;
  before: string;
  after: string;
  /** Text shared after the difference (at most `context` characters). */
  suffix: string;
  /** Whether the shared text goes on beyond `prefix` / `suffix`. */
  moreBefore: boolean;
  moreAfter: boolean;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The common prefix and suffix of two strings removed, leaving the part that
 * differs. `prefix + before + suffix` is a substring of `a` (likewise for `b`),
 * and never splits a surrogate pair.
 */
export function stringDifference(a: string, b: string, context = 20): StringDifference {
  let p = 0;
  while (p < a.length && p < b.length && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && p < Math.max(a.length, b.length) && isHigh(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isLow(a.charCodeAt(a.length - s))) s--;
  let from = Math.max(0, p - context);
  if (from > 0 && isLow(a.charCodeAt(from))) from--;
  let to = Math.min(a.length, a.length - s + context);
  if (to < a.length && isLow(a.charCodeAt(to))) to++;
  return {
    offset: p,
    prefix: a.slice(from, p),
    before: a.slice(p, a.length - s),
    after: b.slice(p, b.length - s),
    suffix: a.slice(a.length - s, to),
    moreBefore: from > 0,
    moreAfter: to < a.length,
  };
}
