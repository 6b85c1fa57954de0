/**
 * The field rules of constructs/lib/schema.ts are built once per arguments and shared by every
 * component schema (why: `synth --watch` reloads the component schemas on a save of
 * constructs/versions.ts; this module, and its schemas, stay loaded). Sharing is only sound if a
 * shared schema never changes under one parent because another derived from it, and if equal
 * arguments, and only those, give the same schema.
 */
import fc from 'fast-check';
import { dnsLabel, int, quantity, resources, shared, storage, z } from '../../../constructs/lib/schema';

describe('shared field rules', () => {
  test('property: one build per distinct arguments; equal arguments give the same schema, others another', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(fc.integer({ min: 4, max: 6 }), { nil: undefined })), { minLength: 1, maxLength: 20 }), calls => {
      const builds: unknown[][] = [];
      const factory = shared((min: number, max?: number) => { builds.push([min, max]); return z.int().min(min).max(max ?? 10); });
      const results = calls.map(([min, max]) => (max === undefined ? factory(min) : factory(min, max)));
      const keys = calls.map(([min, max]) => JSON.stringify(max === undefined ? [min] : [min, max]));
      expect(builds).toHaveLength(new Set(keys).size);
      calls.forEach((_, i) => calls.forEach((__, j) => expect(results[i] === results[j]).toBe(keys[i] === keys[j])));
    }));
  });

  test('arguments JSON cannot tell apart (functions, symbols, class instances, NaN) are refused, not keyed alike', () => {
    const factory = shared((arg: unknown) => z.literal(String(arg)));
    for (const bad of [() => 1, { rule: () => 2 }, [Symbol('s')], new Date(0), Number.NaN, 10n]) expect(() => factory(bad)).toThrow(/must be JSON values/);
    expect(() => factory({ positive: true, floor: { value: 1, text: '1', why: 'x' } })).not.toThrow();
  });

  test('the project rules are shared: two asks give one schema', () => {
    expect(dnsLabel()).toBe(dnsLabel());
    expect(resources('Burstable')).toBe(resources('Burstable'));
    expect(resources('Burstable')).not.toBe(resources('Guaranteed'));
    expect(quantity('memory', { positive: true })).toBe(quantity('memory', { positive: true }));
    expect(quantity('memory', { positive: true })).not.toBe(quantity('memory'));
    expect(int(1)).not.toBe(int(2));
  });

  test('deriving from a shared schema (optional, default, describe, refine, nesting) leaves it as it was', () => {
    const label = dnsLabel();
    const parents = [
      z.strictObject({ name: label.optional() }),
      z.strictObject({ name: label.default('dockercoins') }),
      z.strictObject({ name: label.describe('a name') }),
      z.strictObject({ name: label.refine(v => v !== 'forbidden', 'forbidden') }),
    ];
    for (const parent of parents) parent.safeParse({});
    expect(label.safeParse(undefined).success).toBe(false);
    expect(label.safeParse('forbidden').success).toBe(true);
    expect(label.safeParse('Not_A_Label').success).toBe(false);
    expect(parents[0].safeParse({}).success).toBe(true);
    expect(parents[1].parse({})).toEqual({ name: 'dockercoins' });
    expect(parents[3].safeParse({ name: 'forbidden' }).success).toBe(false);
  });

  test('a shared object schema gives each parse its own result (no value shared between parses)', () => {
    const schema = storage();
    const a = schema.parse({ type: 'emptyDir', size: '1Gi' });
    const b = schema.parse({ type: 'emptyDir', size: '1Gi' });
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });
});
