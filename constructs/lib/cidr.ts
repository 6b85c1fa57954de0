/** IPv4 CIDRs, without dependencies (the analysis loads this without the config schema library). */

/** Parses an IPv4 CIDR; `hostBits` when the address has bits set past the prefix. The one CIDR parser of the project. */
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
