/**
 * What exactly changed inside one field, for the formatters: the items added
 * to or removed from a list of scalars (container args), the changed lines
 * of a multi-line string (a config file in a ConfigMap), or where two long
 * one-line strings differ. Short values need none of this: `before -> after`
 * shows them whole.
 */
import type { FieldChange } from './diff';
import { stringify } from 'yaml';
import { compareStrings, isRecord } from './objects';
import { diffSequence, Edit, lineHunks, stringDifference } from './diff-sequence';

/** One printed line of a detail; `sign` only chooses the colour. */
export interface DetailLine {
  sign: '-' | '+' | ' ' | '@';
  text: string;
}

/** The detail of a field change: a one-line summary and diff lines under it. */
export interface FieldDetail {
  summary: string;
  lines: DetailLine[];
}

export interface DetailOptions {
  /** Longest value or line fragment shown whole (default 120). */
  maxValueLength?: number;
  /** Most diff lines shown per field; the rest are counted (default 60). */
  maxLines?: number;
  /** Unchanged lines shown around a changed one (default 2). */
  context?: number;
}

const scalar = (v: unknown) => v === null || typeof v !== 'object';

/**
 * Compact JSON of a value with object keys in code-point order (so the text
 * does not depend on the key order of the YAML), cut at `max` characters.
 * Undefined renders as `(absent)`.
 */
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined) return '(absent)';
  const s = escapeInvisible(JSON.stringify(sortKeys(v)) ?? String(v));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort(compareStrings).map((k) => [k, sortKeys(v[k])]));
  return v;
}

/**
 * Escapes characters a terminal or a review page would hide or act on:
 * control characters (ANSI escapes, carriage returns), tabs and bidi overrides.
 */
export function escapeInvisible(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The detail of a change, or undefined when `before -> after` shows it whole. */
export function fieldDetail(f: FieldChange, options: DetailOptions = {}): FieldDetail | undefined {
  const max = options.maxValueLength ?? 120;
  const { before, after } = f;
  let detail: FieldDetail | undefined;
  if (before === undefined || after === undefined) {
    detail = wholeDetail(before === undefined ? '+' : '-', before ?? after, max);
  } else if (Array.isArray(before) && Array.isArray(after) && before.every(scalar) && after.every(scalar)) {
    detail = listDetail(before, after, max);
  } else if (typeof before === 'string' && typeof after === 'string') {
    if (before.includes('\n') || after.includes('\n')) detail = textDetail(before, after, max, options.context ?? 2);
    else if (formatValue(before, Infinity).length > max || formatValue(after, Infinity).length > max) detail = stringDetail(before, after, max);
  }
  return detail && capLines(detail, options.maxLines ?? 60);
}

function capLines(d: FieldDetail, maxLines: number): FieldDetail {
  if (d.lines.length <= maxLines) return d;
  const hidden = d.lines.length - maxLines;
  return { summary: d.summary, lines: [...d.lines.slice(0, maxLines), { sign: '@', text: `… ${hidden} more diff line${hidden === 1 ? '' : 's'} not shown` }] };
}

function counts(removed: number, added: number, unit: string): string {
  const parts: string[] = [];
  const plural = (n: number) => (n === 1 ? unit : `${unit}s`);
  if (removed > 0) parts.push(`${removed} ${plural(removed)} removed`);
  if (added > 0) parts.push(removed > 0 ? `${added} added` : `${added} ${plural(added)} added`);
  return parts.join(', ');
}

/** Runs of consecutive removals and additions, in edit order. */
function changeRuns<T>(edits: Edit<T>[]): Array<{ removed: Array<Edit<T> & { op: 'remove' }>; added: Array<Edit<T> & { op: 'add' }> }> {
  const runs: Array<{ removed: Array<Edit<T> & { op: 'remove' }>; added: Array<Edit<T> & { op: 'add' }> }> = [];
  let open = false;
  for (const e of edits) {
    if (e.op === 'keep') {
      open = false;
      continue;
    }
    if (!open) runs.push({ removed: [], added: [] });
    open = true;
    const run = runs[runs.length - 1];
    if (e.op === 'remove') run.removed.push(e);
    else run.added.push(e);
  }
  return runs;
}

/** A replaced pair of strings as shown: whole, or excerpts around the first difference. */
interface ShownPair {
  before: string;
  after: string;
  /** 1-based position of the first differing character, when excerpted. */
  at?: number;
}

/**
 * Shows a replaced pair of strings whole when short, otherwise the part where
 * they differ with some shared text around it, so a change deep in a long
 * value stays visible. `quote` renders the parts as JSON strings.
 */
function showPair(before: string, after: string, max: number, quote: boolean): ShownPair {
  const show = (s: string) => (quote ? formatValue(s, Infinity) : escapeInvisible(s));
  if (show(before).length <= max && show(after).length <= max) return { before: show(before), after: show(after) };
  const d = stringDifference(before, after);
  const room = Math.max(20, max - 40);
  const excerpt = (changed: string) => {
    let end = Math.min(changed.length, room);
    if (end < changed.length && end > 0 && isHighSurrogate(changed.charCodeAt(end - 1))) end--;
    const cutShort = end < changed.length;
    const body = cutShort ? `${d.prefix}${changed.slice(0, end)}` : `${d.prefix}${changed}${d.suffix}`;
    return `${d.moreBefore ? '…' : ''}${show(body)}${cutShort || d.moreAfter ? '…' : ''}`;
  };
  return { before: excerpt(d.before), after: excerpt(d.after), at: d.offset + 1 };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

function listDetail(before: unknown[], after: unknown[], max: number): FieldDetail {
  const edits = diffSequence(before, after, (x) => JSON.stringify(x) ?? 'undefined');
  const lines: DetailLine[] = [];
  let removed = 0;
  let added = 0;
  for (const run of changeRuns(edits)) {
    removed += run.removed.length;
    added += run.added.length;
    // A string item replaced by another is shown as a pair, so a long item shows where it changed.
    const paired = run.removed.every((r) => typeof r.item === 'string') && run.added.every((a) => typeof a.item === 'string') ? Math.min(run.removed.length, run.added.length) : 0;
    for (let i = 0; i < paired; i++) {
      const r = run.removed[i];
      const a = run.added[i];
      const p = showPair(r.item as string, a.item as string, max, true);
      const at = p.at === undefined ? '' : `from character ${p.at}: `;
      lines.push({ sign: '-', text: `- [${r.aIndex}] ${at}${p.before}` }, { sign: '+', text: `+ [${a.bIndex}] ${at}${p.after}` });
    }
    for (const r of run.removed.slice(paired)) lines.push({ sign: '-', text: `- [${r.aIndex}] ${formatValue(r.item, max)}` });
    for (const a of run.added.slice(paired)) lines.push({ sign: '+', text: `+ [${a.bIndex}] ${formatValue(a.item, max)}` });
  }
  return { summary: `${counts(removed, added, 'item')} (${before.length} -> ${after.length} items)`, lines };
}

function textDetail(before: string, after: string, max: number, context: number): FieldDetail {
  const lines: DetailLine[] = [];
  let removed = 0;
  let added = 0;
  for (const h of lineHunks(before, after, context)) {
    lines.push({ sign: '@', text: `@@ -${h.beforeStart},${h.beforeCount} +${h.afterStart},${h.afterCount} @@` });
    for (let i = 0; i < h.lines.length; ) {
      if (h.lines[i].sign === ' ') {
        lines.push({ sign: ' ', text: ` ${cut(escapeInvisible(h.lines[i++].text), max)}` });
        continue;
      }
      // A run of removed then added lines: pair them up so a long line shows where it changed.
      const minus: string[] = [];
      const plus: string[] = [];
      while (i < h.lines.length && h.lines[i].sign === '-') minus.push(h.lines[i++].text);
      while (i < h.lines.length && h.lines[i].sign === '+') plus.push(h.lines[i++].text);
      removed += minus.length;
      added += plus.length;
      const pairs = Array.from({ length: Math.min(minus.length, plus.length) }, (_, k) => showPair(minus[k], plus[k], max, false));
      const at = (p: ShownPair) => (p.at === undefined ? '' : `[from character ${p.at}] `);
      lines.push(...pairs.map((p): DetailLine => ({ sign: '-', text: `-${at(p)}${p.before}` })));
      lines.push(...minus.slice(pairs.length).map((t): DetailLine => ({ sign: '-', text: `-${cut(escapeInvisible(t), max)}` })));
      lines.push(...pairs.map((p): DetailLine => ({ sign: '+', text: `+${at(p)}${p.after}` })));
      lines.push(...plus.slice(pairs.length).map((t): DetailLine => ({ sign: '+', text: `+${cut(escapeInvisible(t), max)}` })));
    }
  }
  const lineCount = (s: string) => s.split('\n').length;
  return { summary: `${counts(removed, added, 'line')} (${lineCount(before)} -> ${lineCount(after)} lines)`, lines };
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function stringDetail(before: string, after: string, max: number): FieldDetail {
  const p = showPair(before, after, max, true);
  const at = p.at === undefined ? 'differs' : `differs from character ${p.at}`;
  return { summary: `${at} (${before.length} -> ${after.length} characters)`, lines: [{ sign: '-', text: `- ${p.before}` }, { sign: '+', text: `+ ${p.after}` }] };
}

/**
 * An added or removed value too long for one line, shown whole: a string
 * line by line, anything else as YAML (keys in code-point order).
 */
function wholeDetail(sign: '+' | '-', v: unknown, max: number): FieldDetail | undefined {
  if (formatValue(v, Infinity).length <= max) return undefined;
  const what = sign === '+' ? 'added' : 'removed';
  if (typeof v === 'string' && v.includes('\n')) {
    const lines = v.split('\n');
    return { summary: `${what} (${lines.length} lines)`, lines: lines.map((l) => ({ sign, text: `${sign}${cut(escapeInvisible(l), max)}` })) };
  }
  const yaml = stringify(sortKeys(v), { lineWidth: 0 }).replace(/\n$/, '').split('\n');
  return { summary: what, lines: yaml.map((l) => ({ sign, text: `${sign} ${cut(escapeInvisible(l), max)}` })) };
}
