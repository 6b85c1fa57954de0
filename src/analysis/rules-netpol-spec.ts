/**
 * `netpol-spec`: what the API server's NetworkPolicy validation refuses and the
 * OpenAPI schema cannot see (kubernetes pkg/apis/networking/validation,
 * ValidateNetworkPolicySpec):
 *  - spec.podSelector and each peer's selectors: valid label selectors
 *    (ValidateLabelSelector, as `object-meta` checks them elsewhere);
 *  - ports: a number 1-65535 or an IANA port name; endPort only after a
 *    numeric port, at or above it and at most 65535 (ValidateNetworkPolicyPort);
 *  - peers: at least one of podSelector, namespaceSelector, ipBlock, and an
 *    ipBlock alone (ValidateNetworkPolicyPeer);
 *  - ipBlock: a CIDR the API server parses (IsValidCIDRForLegacyField), each
 *    `except` a strict subset of it (ValidateIPBlock);
 *  - at most two policyTypes.
 */
import { parseCidrSloppy, strictSubset } from '../../constructs/lib/cidr';
import { isRecord, K8sObject } from './objects';
import { isPortNumber, portNameProblems } from './rules-names';
import { labelSelectorProblems } from './rules-object-meta';

const CIDR_HINT = 'a valid CIDR, e.g. 10.9.8.0/24 or 2001:db8::/64';

function ipBlockProblems(where: string, block: Record<string, unknown>): string[] {
  const cidr = block.cidr;
  if (typeof cidr !== 'string' || cidr === '') return [`${where}.cidr is required`];
  const outer = parseCidrSloppy(cidr);
  if (!outer) return [`${where}.cidr ${JSON.stringify(cidr)} must be ${CIDR_HINT}`];
  const out: string[] = [];
  const except = Array.isArray(block.except) ? block.except : [];
  except.forEach((e: unknown, i: number) => {
    if (typeof e !== 'string') return;
    const inner = parseCidrSloppy(e);
    if (!inner) out.push(`${where}.except[${i}] ${JSON.stringify(e)} must be ${CIDR_HINT}`);
    else if (!strictSubset(outer, inner)) out.push(`${where}.except[${i}] ${JSON.stringify(e)} must be a strict subset of the cidr ${JSON.stringify(cidr)}`);
  });
  return out;
}

function peerProblems(where: string, peer: unknown): string[] {
  if (!isRecord(peer)) return [];
  const present = (['podSelector', 'namespaceSelector', 'ipBlock'] as const).filter(k => peer[k] !== undefined && peer[k] !== null);
  const out: string[] = [];
  if (present.length === 0) out.push(`${where} names no peer: set podSelector, namespaceSelector or ipBlock`);
  else if (present.length > 1 && present.includes('ipBlock')) out.push(`${where} sets ipBlock with ${present.filter(k => k !== 'ipBlock').join(' and ')}: an ipBlock stands alone (use two peers)`);
  out.push(...labelSelectorProblems(`${where}.podSelector`, peer.podSelector));
  out.push(...labelSelectorProblems(`${where}.namespaceSelector`, peer.namespaceSelector));
  if (isRecord(peer.ipBlock)) out.push(...ipBlockProblems(`${where}.ipBlock`, peer.ipBlock));
  return out;
}

function portProblems(where: string, port: unknown): string[] {
  if (!isRecord(port)) return [];
  const out: string[] = [];
  const { port: p, endPort } = port;
  if (typeof p === 'number') {
    if (!isPortNumber(p)) out.push(`${where}.port ${p} must be between 1 and 65535`);
    if (typeof endPort === 'number') {
      if (endPort < p) out.push(`${where}.endPort ${endPort} must be at or above port ${p}`);
      if (!isPortNumber(endPort)) out.push(`${where}.endPort ${endPort} must be between 1 and 65535`);
    }
  } else if (typeof p === 'string') {
    const problems = portNameProblems(p);
    if (problems.length > 0) out.push(`${where}.port ${JSON.stringify(p)} ${problems.join('; ')} (a port name of the pods, an IANA service name)`);
    if (endPort !== undefined && endPort !== null) out.push(`${where}.endPort is set with the named port ${JSON.stringify(p)}: a range needs a numeric port`);
  } else if (endPort !== undefined && endPort !== null) {
    out.push(`${where}.endPort is set without a port: a range needs a numeric port`);
  }
  return out;
}

export function checkNetworkPolicySpec(o: K8sObject): string[] {
  if (o.kind !== 'NetworkPolicy' || !o.apiVersion.startsWith('networking.k8s.io/') || !isRecord(o.spec)) return [];
  const spec = o.spec;
  const out = labelSelectorProblems('spec.podSelector', spec.podSelector);
  for (const [direction, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = Array.isArray(spec[direction]) ? spec[direction] : [];
    rules.forEach((rule: unknown, i: number) => {
      if (!isRecord(rule)) return;
      const where = `spec.${direction}[${i}]`;
      (Array.isArray(rule.ports) ? rule.ports : []).forEach((p: unknown, j: number) => out.push(...portProblems(`${where}.ports[${j}]`, p)));
      (Array.isArray(rule[peersField]) ? rule[peersField] : []).forEach((peer: unknown, j: number) => out.push(...peerProblems(`${where}.${peersField}[${j}]`, peer)));
    });
  }
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 2) out.push(`spec.policyTypes lists ${spec.policyTypes.length} types: at most two (Ingress, Egress)`);
  return out;
}
