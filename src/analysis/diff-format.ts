/**
 * Renders a ManifestDiff as terminal text (optionally coloured) or Markdown
 * (for pull-request comments).
 */
import { FieldChange, ManifestDiff, ObjectDiff } from './diff';

/** Text rendering options. */
export interface TextOptions {
  /** ANSI colours; the CLI enables them only for a TTY without NO_COLOR. */
  color?: boolean;
  /** Longest rendered value before truncation. */
  maxValueLength?: number;
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', bold: '\x1b[1m', reset: '\x1b[0m' };

/** Compact JSON for a value; undefined renders as `(absent)`. */
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

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
    for (const f of o.fields) lines.push(`    ${fieldLine(f, max)}`);
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

/** Escapes text for a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown with a risk list first, then one table of field changes per object. */
export function formatDiffMarkdown(d: ManifestDiff, title = 'Manifest diff'): string {
  const out: string[] = [`## ${title}`, '', `**${summaryLine(d)}**`, ''];
  const risky = d.objects.filter((o) => o.risks.length > 0);
  if (risky.length > 0) {
    out.push('### Risks', '');
    for (const o of risky) for (const r of o.risks) out.push(`- **${r.code}** \`${o.ref}\`: ${r.message}`);
    out.push('');
  }
  if (d.objects.length > 0) {
    out.push('### Objects', '');
    for (const o of d.objects) {
      out.push(`#### ${SIGN[o.change]} \`${o.ref}\` (${o.change})`, '');
      if (o.fields.length > 0) {
        out.push('| Field | Before | After |', '| --- | --- | --- |');
        for (const f of o.fields) {
          const v = (x: unknown) => (x === undefined ? '' : `\`${cell(formatValue(x, 200)).replace(/`/g, "'")}\``);
          out.push(`| \`${cell(f.path)}\` | ${v(f.before)} | ${v(f.after)} |`);
        }
        out.push('');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
