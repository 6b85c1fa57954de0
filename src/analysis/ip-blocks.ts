/**
 * NetworkPolicy `ipBlock`s as address sets: membership, containment and
 * overlap of IPv4 CIDRs, built on the config's strict CIDR parser
 * (`parseCidr` in constructs/lib/cidr.ts). Whether the API server accepts a
 * block at all is `netpol-spec`'s question (`parseCidrSloppy`).
 *
 * IPv4 only, like the parser: an IPv6 (or otherwise unparsed) CIDR has no
 * range here, and callers compare such blocks by their text (conservative).
 */
import { parseCidr } from '../../constructs/lib/cidr';

/** First and last address of a CIDR, as numbers. */
export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

/** The addresses of an IPv4 CIDR (host bits masked, surrounding blanks ignored); undefined if it is not one. */
export function cidrRange(cidr: string): AddressRange | undefined {
  const parsed = parseCidr(cidr.trim());
  return parsed && { first: parsed.base, last: parsed.base + 2 ** (32 - parsed.prefix) - 1 };
}

/** Whether `outer` holds every address of `inner`. */
export function rangeContains(outer: AddressRange, inner: AddressRange): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/** Whether two ranges share an address. */
export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The whole address space of its family: `0.0.0.0/0` (any address with prefix 0) or `::/0`. */
export function isWholeSpace(cidr: string): boolean {
  const range = cidrRange(cidr);
  return range ? range.first === 0 && range.last === 2 ** 32 - 1 : /^::\/0$/.test(cidr.trim());
}

const text = (v: unknown) => String(v ?? '').trim();
const exceptions = (block: Record<string, any>): string[] => (Array.isArray(block.except) ? block.except.map(text) : []);

/**
 * Whether ipBlock `outer` admits every address ipBlock `inner` admits:
 * inner's CIDR lies within outer's, and whatever outer excepts of it inner
 * excepts too. Conservative (false when unsure): an address range excepted by
 * outer must fall within one exception of inner; IPv6 blocks must have the
 * same CIDR text and repeat outer's exceptions.
 */
export function ipBlockCovers(outer: Record<string, any>, inner: Record<string, any>): boolean {
  const outerCidr = text(outer.cidr);
  const innerCidr = text(inner.cidr);
  const innerExcept = exceptions(inner);
  const o = cidrRange(outerCidr);
  const i = cidrRange(innerCidr);
  if (!o || !i) return outerCidr !== '' && outerCidr === innerCidr && exceptions(outer).every(e => innerExcept.includes(e));
  if (!rangeContains(o, i)) return false;
  const innerExceptRanges = innerExcept.map(cidrRange).filter((r): r is AddressRange => r !== undefined);
  return exceptions(outer).every(e => {
    const r = cidrRange(e);
    if (!r) return innerExcept.includes(e);
    if (!rangesOverlap(r, i)) return true; // it removes nothing inner admits
    const removed = { first: Math.max(r.first, i.first), last: Math.min(r.last, i.last) };
    return innerExceptRanges.some(x => rangeContains(x, removed));
  });
}
