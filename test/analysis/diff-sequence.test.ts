import fc from 'fast-check';
import { diffSequence, lineHunks, stringDifference } from '../../src/analysis/diff-sequence';
import { escapeInvisible } from '../../src/analysis/diff-detail';

/** Length of a longest common subsequence, by dynamic programming (the slow, obvious way). */
function lcsLength<T>(a: T[], b: T[]): number {
  const row = new Array(b.length + 1).fill(0);
  for (const x of a) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = x === b[j - 1] ? diag + 1 : Math.max(row[j], row[j - 1]);
      diag = up;
    }
  }
  return row[b.length];
}

const small = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 25 });

describe('diffSequence', () => {
  it('for any two lists, the script rebuilds both lists and keeps a longest common subsequence', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        const edits = diffSequence(a, b);
        expect(edits.filter((e) => e.op !== 'add').map((e) => e.item)).toEqual(a);
        expect(edits.filter((e) => e.op !== 'remove').map((e) => e.item)).toEqual(b);
        for (const e of edits) {
          if (e.op !== 'add') expect(a[e.aIndex]).toBe(e.item);
          if (e.op !== 'remove') expect(b[e.bIndex]).toBe(e.item);
        }
        expect(edits.filter((e) => e.op === 'keep')).toHaveLength(lcsLength(a, b));
      }),
    );
  });

  it('stays exact (if not minimal) beyond its edit-distance bound', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 5000 }, (_, i) => `b${i}`);
    const edits = diffSequence(a, b);
    expect(edits.filter((e) => e.op !== 'add').map((e) => e.item)).toEqual(a);
    expect(edits.filter((e) => e.op !== 'remove').map((e) => e.item)).toEqual(b);
  });
});

describe('lineHunks', () => {
  it('numbers hunks as diff -u does', () => {
    expect(lineHunks('a\nb\nc\nd\ne\nf\ng', 'a\nb\nc\nD\ne\nf\ng', 1)).toEqual([
      { beforeStart: 3, beforeCount: 3, afterStart: 3, afterCount: 3, lines: [{ sign: ' ', text: 'c' }, { sign: '-', text: 'd' }, { sign: '+', text: 'D' }, { sign: ' ', text: 'e' }] },
    ]);
    // An insertion at the top: the empty before side is numbered 0.
    expect(lineHunks('a', 'x\na', 0)).toEqual([{ beforeStart: 0, beforeCount: 0, afterStart: 1, afterCount: 1, lines: [{ sign: '+', text: 'x' }] }]);
  });

  it('for any two texts, the hunks cover every change and nothing else', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', ''), { maxLength: 20 }).map((l) => l.join('\n'));
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 3 }), (a, b, context) => {
        const hunks = lineHunks(a, b, context);
        if (a === b) expect(hunks).toEqual([]);
        for (const h of hunks) {
          expect(h.lines.filter((l) => l.sign !== '+')).toHaveLength(h.beforeCount);
          expect(h.lines.filter((l) => l.sign !== '-')).toHaveLength(h.afterCount);
          expect(h.lines.some((l) => l.sign !== ' ')).toBe(true);
          const before = h.lines.filter((l) => l.sign !== '+').map((l) => l.text);
          if (h.beforeCount > 0) expect(a.split('\n').slice(h.beforeStart - 1, h.beforeStart - 1 + h.beforeCount)).toEqual(before);
        }
      }),
    );
  });
});

describe('stringDifference', () => {
  it('for any two strings, prefix + middle + suffix is a piece of each, around the first difference', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (p, x, y, s) => {
        const a = p + x + s;
        const b = p + y + s;
        const d = stringDifference(a, b, 5);
        expect(a.slice(d.offset - d.prefix.length, d.offset + d.before.length + d.suffix.length)).toBe(d.prefix + d.before + d.suffix);
        expect(b.slice(d.offset - d.prefix.length, d.offset + d.after.length + d.suffix.length)).toBe(d.prefix + d.after + d.suffix);
        expect(a.slice(0, d.offset)).toBe(b.slice(0, d.offset));
        if (a !== b) expect(d.before).not.toBe(d.after);
        // The inputs are well-formed UTF-16, so no piece may split a surrogate pair.
        const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
        for (const t of [d.prefix, d.before, d.after, d.suffix]) expect(t).not.toMatch(lone);
      }),
    );
  });

  it('does not split a surrogate pair', () => {
    const d = stringDifference('x\u{1F600}y', 'x\u{1F601}y');
    expect([d.prefix, d.before, d.after, d.suffix]).toEqual(['x', '\u{1F600}', '\u{1F601}', 'y']);
  });
});

describe('escapeInvisible', () => {
  it('escapes control characters, tabs, carriage returns and bidi overrides, and nothing else', () => {
    expect(escapeInvisible('a\x1b[31mb\tc\rd\u202Ee é €')).toBe('a\\u001b[31mb\\tc\\rd\\u202ee é €');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => expect(escapeInvisible(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)));
  });
});
