/**
 * CIDRs, without dependencies (the analysis loads this without the config schema library), in
 * two grammars: `parseCidr`, the strict IPv4 one the environment config accepts (canonical
 * octets, no host bits in what we render), and `parseCidrSloppy`, what the API server accepts in
 * a NetworkPolicy ipBlock (leading zeros, host bits, IPv6), which `validate` judges manifests by.
 */

/** Parses an IPv4 CIDR; `hostBits` when the address has bits set past the prefix. The config's CIDR parser. */
export function parseCidr(value: string): { base: number; prefix: number; hostBits: boolean; canonical: string } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some(o => o > 255) || m.slice(1, 5).some(o => o.length > 1 && o.startsWith('0')) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(address / size) * size;
  const canonical = `${[24, 16, 8, 0].map(s => Math.floor(base / 2 ** s) % 256).join('.')}/${prefix}`;
  return { base, prefix, hostBits: base !== address, canonical };
}

/** An address range as the API server parses a CIDR: family, first address and prefix length. */
export interface SloppyCidr {
  readonly family: 4 | 6;
  /** The network address (host bits cleared), as a number of 32 or 128 bits. */
  readonly base: bigint;
  readonly prefix: number;
}

/** Decimal digits, any count, as Go's dtoi reads them (leading zeros allowed); undefined past `max`. */
function decimal(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const digits = text.replace(/^0+(?=\d)/, '');
  return digits.length > 6 || Number(digits) > max ? undefined : Number(digits);
}

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map(p => decimal(p, 255));
  return bytes.every((b): b is number => b !== undefined) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = ipv4Bytes(p);
        if (!v4) return undefined;
        out.push(v4[0] * 256 + v4[1], v4[2] * 256 + v4[3]);
      } else {
        if (!/^[0-9A-Fa-f]+$/.test(p)) return undefined;
        const n = parseInt(p, 16);
        if (n > 0xffff) return undefined;
        out.push(n);
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  // '::' stands for at least one group of zeros; without it there are exactly eight groups.
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail].flatMap(g => [g >> 8, g & 0xff]);
}

/**
 * Parses a CIDR as the API server does for its older fields (NetworkPolicy ipBlock, Service
 * loadBalancerSourceRanges...): k8s.io/utils/net ParseCIDRSloppy, Go's pre-1.17 net.ParseCIDR,
 * which also takes IPv4 octets with leading zeros (`010.0.0.0/8`) and addresses with host bits
 * set (kubernetes pkg/apis/core/validation IsValidCIDRForLegacyField). IPv4 and IPv6; no zones.
 * undefined when the API server refuses it ("must be a valid CIDR value").
 */
export function parseCidrSloppy(value: string): SloppyCidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const address = value.slice(0, slash);
  const v4 = ipv4Bytes(address);
  const bytes = v4 ?? ipv6Bytes(address);
  if (!bytes) return undefined;
  const bits = bytes.length * 8;
  const prefix = decimal(value.slice(slash + 1), bits);
  if (prefix === undefined) return undefined;
  const whole = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { family: v4 ? 4 : 6, base: whole & ~host, prefix };
}

/**
 * Whether `inner` is a strict subset of `outer`: the same family, inside it, with a longer
 * prefix, as a NetworkPolicy ipBlock's `except` must be (kubernetes ValidateIPBlock: "must be a
 * strict subset of `cidr`").
 */
export function strictSubset(outer: SloppyCidr, inner: SloppyCidr): boolean {
  if (outer.family !== inner.family || outer.prefix >= inner.prefix) return false;
  const hostBits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.base >> hostBits === outer.base >> hostBits;
}

/** strictSubset of two CIDR texts; false when either is no CIDR the API server parses. */
export function strictlyContains(outer: string, inner: string): boolean {
  const o = parseCidrSloppy(outer);
  const i = parseCidrSloppy(inner);
  return o !== undefined && i !== undefined && strictSubset(o, i);
}
