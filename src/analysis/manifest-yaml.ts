/**
 * A fast reader for manifests in the project's own YAML style (constructs/lib/yaml.ts writes
 * every file of dist/): block mappings and indented sequences, two spaces per level, plain or
 * JSON-quoted scalars, `|` literal blocks, `---` between documents, comment lines before a
 * document. `validate` and `diff` read all of dist/; the `yaml` package spends most of their time
 * on it (its concrete syntax tree, then nodes, then JavaScript values).
 *
 * It never reads differently from `yaml`: it accepts a text only when every line is in that
 * style and every value means the same in YAML 1.2 (strings the emitter would write plain, the
 * numbers `String(n)` writes, true/false/null, canonical JSON strings), with root mappings and
 * unique keys. Anything else (flow collections, anchors, tags, other indentation, comments
 * after content, control characters, CRLF...) returns undefined and the caller parses the text
 * with `yaml` as before. test/analysis/manifest-yaml.test.ts compares both on every rendered
 * file, on generated documents and on generated edits of them.
 */
import { isPlainSafe } from '../../constructs/lib/yaml';

/** Strings known to be written plain: keys and values repeat (labels, names, ports), each a dozen regular expressions the first time. Bounded: cleared when full. */
const PLAIN = new Set<string>();
const PLAIN_MAX = 20_000;
function plainSafe(text: string): boolean {
  if (PLAIN.has(text)) return true;
  if (!isPlainSafe(text)) return false;
  if (PLAIN.size >= PLAIN_MAX) PLAIN.clear();
  PLAIN.add(text);
  return true;
}

class NotInStyle extends Error {}
const notInStyle = new NotInStyle();

/** Characters this reader leaves to `yaml`: CR, controls other than tab and newline, C1 controls, BOM, surrogates. */
const UNSUPPORTED = /[\r\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ud800-\udfff]/;

/** The value of each document (null for an empty one), as `yaml`'s parseAllDocuments + toJS; undefined when not in the style. */
export function parseEmitterStream(text: string): unknown[] | undefined {
  if (text === '' || !text.endsWith('\n') || UNSUPPORTED.test(text)) return undefined;
  const lines = text.split('\n');
  lines.pop(); // after the final newline
  try {
    return new Reader(lines).stream();
  } catch (e) {
    if (e === notInStyle) return undefined;
    throw e;
  }
}

function indentation(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

class Reader {
  private i = 0;
  constructor(private readonly lines: string[]) {}

  stream(): unknown[] {
    const { lines } = this;
    // `...` and `---` at column 0 are document markers wherever they stand (YAML 1.2 c-forbidden):
    // a line starting with either is this style only as a bare `---` between documents.
    for (const line of lines) {
      if ((line.startsWith('...') || line.startsWith('---')) && line !== '---') throw notInStyle;
    }
    const docs: unknown[] = [];
    // A `---` opens a document; content opens one where none is open.
    let open = false;
    for (;;) {
      while (this.i < lines.length && lines[this.i].startsWith('#')) this.i++;
      if (this.i >= lines.length) {
        if (open) docs.push(null);
        return docs;
      }
      const line = lines[this.i];
      if (line === '---') {
        if (open) docs.push(null);
        open = true;
        this.i++;
        continue;
      }
      if (line === '' || indentation(line) !== 0) throw notInStyle;
      docs.push(this.map(this.i, 0));
      open = false;
      if (this.i < lines.length) {
        if (lines[this.i] !== '---') throw notInStyle;
        this.i++;
        open = true;
      }
    }
  }

  /** A mapping whose first key starts at column `col` of line `first`; its other keys at indentation `col`. */
  private map(first: number, col: number): Record<string, unknown> {
    const { lines } = this;
    const out: Record<string, unknown> = {};
    let at = first;
    for (;;) {
      const line = lines[at];
      const { key, after } = this.key(line, col);
      if (key === '__proto__' || key === '<<' || Object.prototype.hasOwnProperty.call(out, key)) throw notInStyle;
      this.i = at + 1;
      out[key] = this.valueAfterKey(line, after, col);
      if (!this.continues(col)) return out;
      at = this.i; // a `- ` item among the keys is refused by key(): no `: `, or not a plain key
    }
  }

  /** A sequence whose first `- ` is at column `col` of line `first`; its other items at indentation `col`. */
  private seq(first: number, col: number): unknown[] {
    const { lines } = this;
    const out: unknown[] = [];
    let at = first;
    for (;;) {
      const line = lines[at];
      if (line.charCodeAt(col) !== 45 || line.charCodeAt(col + 1) !== 32) throw notInStyle;
      this.i = at + 1;
      out.push(this.item(at, col + 2));
      if (!this.continues(col)) return out;
      at = this.i;
    }
  }

  /** Whether the next line is another entry at indentation `col` (false: the collection ends; deeper or blank: not in style). */
  private continues(col: number): boolean {
    const { lines } = this;
    if (this.i >= lines.length) return false;
    const line = lines[this.i];
    if (line === '') throw notInStyle;
    const indent = indentation(line);
    if (indent > col) throw notInStyle;
    if (indent < col) return false;
    return !(col === 0 && (line === '---' || line.startsWith('#')));
  }

  /** A sequence item starting at column `col` of line `at` (after `- `). */
  private item(at: number, col: number): unknown {
    const line = this.lines[at];
    const text = line.slice(col);
    if (text.startsWith('- ')) return this.seq(at, col);
    if (text === '[]') return [];
    if (text === '{}') return {};
    if (text === '|' || text === '|-' || text === '|+') return this.block(text, col);
    if (text.startsWith('"')) {
      const end = quotedEnd(text, 0);
      if (end === text.length) return quoted(text);
      return this.map(at, col);
    }
    if (text.includes(': ') || text.endsWith(':')) return this.map(at, col);
    return scalar(text);
  }

  /** The key of a mapping entry at column `col`; `after` is the index just after its `:`. */
  private key(line: string, col: number): { key: string; after: number } {
    if (indentation(line) > col && line.charCodeAt(col) === 32) throw notInStyle;
    let key: string;
    let colon: number;
    if (line.charCodeAt(col) === 34 /* " */) {
      colon = quotedEnd(line, col);
      key = quoted(line.slice(col, colon));
    } else {
      const space = line.indexOf(': ', col);
      colon = space >= 0 ? space : line.endsWith(':') ? line.length - 1 : -1;
      if (colon < 0) throw notInStyle;
      key = line.slice(col, colon);
      if (!plainSafe(key)) throw notInStyle;
    }
    // `yaml` refuses an implicit key longer than 1024 characters.
    if (line.charCodeAt(colon) !== 58 /* : */ || colon - col > 1000) throw notInStyle;
    return { key, after: colon + 1 };
  }

  /** What follows `key:` at index `after` of `line`; nested collections are on the next lines, at `col + 2`. */
  private valueAfterKey(line: string, after: number, col: number): unknown {
    if (after === line.length) {
      const next = this.lines[this.i];
      if (next === undefined || indentation(next) !== col + 2) throw notInStyle;
      return isItem(next, col + 2) ? this.seq(this.i, col + 2) : this.map(this.i, col + 2);
    }
    if (line.charCodeAt(after) !== 32) throw notInStyle;
    const text = line.slice(after + 1);
    if (text === '[]') return [];
    if (text === '{}') return {};
    if (text === '|' || text === '|-' || text === '|+') return this.block(text, col + 2);
    return scalar(text);
  }

  /** A literal block whose lines are indented by `col`, starting at the current line. */
  private block(header: string, col: number): string {
    const { lines } = this;
    const firstLine = lines[this.i];
    if (firstLine === undefined || indentation(firstLine) !== col || firstLine.length === col) throw notInStyle;
    const content: string[] = [];
    let trailing = 0;
    while (this.i < lines.length) {
      const line = lines[this.i];
      if (line === '') {
        trailing++;
      } else {
        const indent = indentation(line);
        if (indent === line.length) throw notInStyle; // spaces only: `yaml` decides by their count
        if (indent < col) break;
        for (; trailing > 0; trailing--) content.push('');
        content.push(line.slice(col));
      }
      this.i++;
    }
    const body = content.join('\n');
    if (header === '|-') return body;
    if (header === '|') return `${body}\n`;
    return `${body}\n${'\n'.repeat(trailing)}`;
  }
}

/** Whether `line` holds a sequence item (`- ...`) at column `col` (a key may start with `-` too: `-c: x`). */
function isItem(line: string, col: number): boolean {
  return line.charCodeAt(col) === 45 && (line.length === col + 1 || line.charCodeAt(col + 1) === 32);
}

/** The index just after the closing quote of the JSON string starting at `start`. */
function quotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i + 1;
  }
  throw notInStyle;
}

/** A double-quoted scalar written as JSON writes it (then YAML reads it the same). */
function quoted(text: string): string {
  let value: unknown;
  try { value = JSON.parse(text); } catch { throw notInStyle; }
  if (typeof value !== 'string' || JSON.stringify(value) !== text) throw notInStyle;
  return value;
}

/** A scalar after `key: ` or `- `. */
function scalar(text: string): unknown {
  if (text.startsWith('"')) return quoted(text);
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45) {
    // What String(n) writes for a finite number is read back as that number by YAML 1.2's int/float.
    const n = Number(text);
    if (Number.isFinite(n) && String(n) === text) return n;
  }
  if (!plainSafe(text)) throw notInStyle;
  return text;
}
