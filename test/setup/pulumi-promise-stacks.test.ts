/** @jest-environment node */
// Internal to the SDK (marked @internal, so not in its .d.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require('@pulumi/pulumi/runtime/debuggable') as { debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T> };

describe('stack traces under jest (test/setup/pulumi-promise-stacks.ts)', () => {
  test('the Pulumi SDK\'s per-promise trace is short and unmapped: the error line and the three frames above debuggablePromise', () => {
    // The SDK records the trace on the promise it is given (and returns a chained one).
    const p = Promise.resolve(1) as Promise<number> & { _debugStackTrace?: string };
    void debuggablePromise(p, 'a test promise');
    const lines = (p._debugStackTrace ?? '').split('\n');
    expect(lines[0]).toBe('Error');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('pulumi-promise-stacks.test.ts'); // the caller: this test
    expect(lines.join('\n')).not.toContain('debuggable.js');
  });

  test('every other stack is still mapped to the .ts lines (a failing test shows where)', () => {
    const stack = new Error('here').stack ?? ''; const line = 19; // this line
    expect(stack.split('\n')[1]).toMatch(new RegExp(`pulumi-promise-stacks\\.test\\.ts:${line}:\\d+\\)?$`));
    expect(stack.split('\n').length).toBeGreaterThan(4);
  });
});
