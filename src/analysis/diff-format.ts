/**
 * Renders a ManifestDiff as terminal text (optionally coloured) or Markdown
 * (for pull-request comments). Long values are never just cut: lists of
 * scalars show the items added and removed, multi-line strings a line diff,
 * long strings the part where they differ (see diff-detail.ts).
 */
import { FieldChange, ManifestDiff, ObjectDiff } from './diff';
import { DetailOptions, FieldDetail, fieldDetail, formatValue } from './diff-detail';

export { formatValue } from './diff-detail';

/** Text rendering options. */
export interface TextOptions extends DetailOptions {
  /** ANSI colours; the CLI enables them only for a TTY without NO_COLOR. */
  color?: boolean;
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', bold: '\x1b[1m', reset: '\x1b[0m' };

const SIGN: Record<ObjectDiff['change'], string> = { added: '+', removed: '-', changed: '~' };

/** `1 added, 2 removed, 3 changed, 1 risk` (or `no changes`). */
export function summaryLine(d: ManifestDiff): string {
  if (d.objects.length === 0) return 'no changes';
  return `${d.added} added, ${d.removed} removed, ${d.changed} changed, ${d.risks} risk${d.risks === 1 ? '' : 's'}`;
}

/** Plain text, one block per object, risks marked with `!`. */
export function formatDiffText(d: ManifestDiff, options: TextOptions = {}): string {
  const paint = (color: keyof typeof ANSI, s: string) => (options.color ? `${ANSI[color]}${s}${ANSI.reset}` : s);
  const max = options.maxValueLength ?? 120;
  const lines: string[] = [];
  for (const o of d.objects) {
    const color = o.change === 'added' ? 'green' : o.change === 'removed' ? 'red' : 'yellow';
    lines.push(paint(color, `${SIGN[o.change]} ${o.ref}`));
    for (const f of o.fields) {
      const detail = fieldDetail(f, options);
      if (!detail) {
        lines.push(`    ${fieldLine(f, max)}`);
        continue;
      }
      lines.push(`    ${f.path}: ${detail.summary}`);
      for (const l of detail.lines) lines.push(`        ${l.sign === '-' ? paint('red', l.text) : l.sign === '+' ? paint('green', l.text) : l.text}`);
    }
    for (const r of o.risks) lines.push(paint('red', `    ! [${r.code}] ${r.message}`));
  }
  lines.push(paint('bold', summaryLine(d)));
  return `${lines.join('\n')}\n`;
}

function fieldLine(f: FieldChange, max: number): string {
  if (f.before === undefined) return `${f.path}: + ${formatValue(f.after, max)}`;
  if (f.after === undefined) return `${f.path}: - ${formatValue(f.before, max)}`;
  return `${f.path}: ${formatValue(f.before, max)} -> ${formatValue(f.after, max)}`;
}

/**
 * A Markdown code span for a table cell. The backtick fence is longer than
 * any backtick run inside, and `|` is escaped (GFM splits cells first); the
 * text is otherwise literal, backslashes included.
 */
function codeCell(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A fenced ```diff block that no line inside can close early. */
function diffBlock(lines: string[]): string[] {
  const longest = Math.max(2, ...lines.flatMap((l) => l.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}diff`, ...lines, fence];
}

/** Markdown with a risk list first, then one table of field changes per object. */
export function formatDiffMarkdown(d: ManifestDiff, title = 'Manifest diff', options: DetailOptions = {}): string {
  const max = options.maxValueLength ?? 200;
  const out: string[] = [`## ${title}`, '', `**${summaryLine(d)}**`, ''];
  const risky = d.objects.filter((o) => o.risks.length > 0);
  if (risky.length > 0) {
    out.push('### Risks', '');
    for (const o of risky) for (const r of o.risks) out.push(`- **${r.code}** ${codeCell(o.ref)}: ${r.message}`);
    out.push('');
  }
  if (d.objects.length > 0) {
    out.push('### Objects', '');
    for (const o of d.objects) {
      out.push(`#### ${SIGN[o.change]} ${codeCell(o.ref)} (${o.change})`, '');
      if (o.fields.length === 0) continue;
      const below: Array<{ path: string; detail: FieldDetail }> = [];
      out.push('| Field | Before | After |', '| --- | --- | --- |');
      for (const f of o.fields) {
        const detail = fieldDetail(f, { ...options, maxValueLength: max }) ?? pipeDetail(f, max);
        if (detail) {
          below.push({ path: f.path, detail });
          out.push(`| ${codeCell(f.path)} | see below | ${detail.summary} |`);
          continue;
        }
        const v = (x: unknown) => (x === undefined ? '' : codeCell(formatValue(x, max)));
        out.push(`| ${codeCell(f.path)} | ${v(f.before)} | ${v(f.after)} |`);
      }
      out.push('');
      for (const b of below) out.push(`${codeCell(b.path)}: ${b.detail.summary}`, '', ...diffBlock(b.detail.lines.map((l) => l.text)), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * A value with `|` cannot be shown faithfully in a GFM table cell (an escaped
 * pipe after a backslash still ends the cell), so it goes in a block below.
 */
function pipeDetail(f: FieldChange, max: number): FieldDetail | undefined {
  const shown = [f.before, f.after].map((v) => (v === undefined ? '' : formatValue(v, max)));
  if (!shown.some((s) => s.includes('|'))) return undefined;
  const lines: FieldDetail['lines'] = [];
  if (f.before !== undefined) lines.push({ sign: '-', text: `- ${shown[0]}` });
  if (f.after !== undefined) lines.push({ sign: '+', text: `+ ${shown[1]}` });
  return { summary: f.before === undefined ? 'added' : f.after === undefined ? 'removed' : 'changed', lines };
}
