/**
 * The catalogue of bad inputs as a whole: hand-written manifests for
 * validate (manifests.ts) plus configuration files, Pulumi overrides,
 * environment files and CLI arguments (config-cases.ts). manifests.test.ts
 * and config.test.ts run them; this file holds the table to its size and
 * keeps every id unique, so a case cannot silently shadow another.
 */
import { BAD_MANIFESTS } from './manifests';
import { CONFIG_CASES } from './config-cases';

const ALL = [...BAD_MANIFESTS.map(m => ({ id: m.id, kind: 'manifest' })), ...CONFIG_CASES.map(c => ({ id: c.id, kind: c.kind }))];

describe('catalogue of bad inputs', () => {
  test('holds at least 120 inputs, at least 70 of them configuration and CLI inputs', () => {
    expect(CONFIG_CASES.length).toBeGreaterThanOrEqual(70);
    expect(ALL.length).toBeGreaterThanOrEqual(120);
  });

  test('ids are unique across manifests and configuration cases, and file-name safe', () => {
    const ids = ALL.map(c => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][A-Za-z0-9-]*$/);
  });

  test('covers every kind of input', () => {
    const counts = ALL.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.kind]: (acc[c.kind] ?? 0) + 1 }), {});
    expect(Object.keys(counts).sort()).toEqual(['cli-args', 'environment-file', 'manifest', 'override', 'stack-file']);
    // A few environment-file mistakes run in a real copy of the project; the rest through the overlay.
    expect(CONFIG_CASES.filter(c => c.kind === 'environment-file' && c.edit).length).toBeGreaterThanOrEqual(3);
    // Every CLI entry point has refused arguments.
    const commands = new Set(CONFIG_CASES.flatMap(c => (c.kind === 'cli-args' ? [c.argv[0] ?? '(none)'] : [])));
    for (const command of ['synth', 'validate', 'diff', '(none)']) expect(commands).toContain(command);
  });

  test('every case says what the user got wrong and expects a message', () => {
    for (const c of CONFIG_CASES) {
      expect(c.mistake.length).toBeGreaterThan(3);
      if (c.kind === 'cli-args') expect(c.firstLine).not.toBe('');
      else expect(c.expected.length).toBeGreaterThan(0);
    }
  });
});
