import fc from 'fast-check';
import { listItemKey } from '../../constructs/lib/schema';
import { formatPath } from '../../src/config/errors';

/** How a reader follows `list[key]`: digits are an index, anything else is an item's name. */
function follow(list: ReadonlyArray<{ name?: unknown }>, key: string): number[] {
  if (/^[0-9]+$/.test(key)) return Number(key) < list.length ? [Number(key)] : [];
  return list.flatMap((item, i) => (item.name === key ? [i] : []));
}

const names = fc.oneof(
  fc.constantFrom('blue', 'green', '32', '0', '1', 'a.b', 'Blue', '', '-x'),
  fc.stringMatching(/^[a-z0-9]{1,4}$/),
);

describe('config paths name list items so a reader finds exactly that item', () => {
  test('property: the key of every item leads back to that item alone (names, duplicates, digits, missing names)', () => {
    fc.assert(fc.property(fc.array(fc.option(names, { nil: undefined }), { minLength: 1, maxLength: 6 }), raw => {
      const list = raw.map(name => (name === undefined ? {} : { name }));
      list.forEach((_, i) => expect(follow(list, listItemKey(list, i))).toEqual([i]));
    }), { numRuns: 500 });
  });

  test('an all-digit name is named by index, not by a name that reads as another index', () => {
    const input = { dockercoins: [{ name: 'blue' }, { name: '0' }] };
    expect(formatPath(['dockercoins', 1, 'host'], input)).toBe('dockercoins[1].host');
    expect(formatPath(['dockercoins', 0, 'host'], input)).toBe('dockercoins[blue].host');
  });
});
