/**
 * The security contexts the API server refuses, whatever the Pod Security level (kubernetes
 * pkg/apis/core/validation: validateSeccompProfileField, ValidateAppArmorProfileField,
 * validateLocalDescendingPath, validateSysctls, IsValidUserID and IsValidGroupID), part of
 * `pod-spec`; whether a level allows them is `pod-security`'s question:
 *  - seccompProfile: a type among Localhost, RuntimeDefault, Unconfined; a localhostProfile
 *    exactly with Localhost, a relative path without '..';
 *  - appArmorProfile: a type among Localhost, RuntimeDefault, Unconfined; a localhostProfile
 *    exactly with Localhost, not empty, not padded with whitespace, at most 4095 characters;
 *  - sysctls: named, each name at most 253 characters of segments joined by '.' or '/', once;
 *  - runAsUser, runAsGroup, fsGroup and supplementalGroups from 0 to 2147483647.
 * On the pod's and every container's securityContext.
 */
import { allContainers, describeContainer, isRecord } from './objects';

const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];
/** validation.go SysctlContainSlashFmt and SysctlMaxLength. */
const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
const SYSCTL_MAX = 253;
/** maxLocalhostProfileLength (PATH_MAX - 1). */
const MAX_LOCALHOST_PROFILE = 4095;
/** apimachinery validation minUserID/maxUserID, minGroupID/maxGroupID: math.MaxInt32. */
const MAX_ID = 2147483647;

function profileProblems(where: string, profile: unknown, kind: 'seccompProfile' | 'appArmorProfile'): string[] {
  if (!isRecord(profile)) return [];
  const at = `${where}.${kind}`;
  const type = profile.type;
  const local = profile.localhostProfile;
  if (type === undefined || type === '') return [`${at}.type is required (RuntimeDefault, Localhost or Unconfined)`];
  if (!PROFILE_TYPES.includes(String(type))) return [`${at}.type ${JSON.stringify(type)} must be RuntimeDefault, Localhost or Unconfined`];
  if (type !== 'Localhost') return local === undefined || local === null ? [] : [`${at}.localhostProfile is set with type ${type}: only Localhost takes it`];
  if (typeof local !== 'string' || (kind === 'appArmorProfile' && local.trim() === '')) return [`${at}.localhostProfile is required with type Localhost (the profile's path on the node)`];
  if (kind === 'seccompProfile') {
    // validateLocalDescendingPath: relative, and no '..' segment.
    if (local.startsWith('/')) return [`${at}.localhostProfile ${JSON.stringify(local)} must be a relative path (under the kubelet's seccomp directory)`];
    if (local.split('/').includes('..')) return [`${at}.localhostProfile ${JSON.stringify(local)} must not contain '..'`];
    return [];
  }
  if (local.trim() !== local) return [`${at}.localhostProfile ${JSON.stringify(local)} must not be padded with whitespace`];
  if (local.length > MAX_LOCALHOST_PROFILE) return [`${at}.localhostProfile is ${local.length} characters: at most ${MAX_LOCALHOST_PROFILE}`];
  return [];
}

function idProblems(where: string, sc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const bad = (v: unknown) => typeof v === 'number' && (!Number.isInteger(v) || v < 0 || v > MAX_ID);
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    if (bad(sc[field])) out.push(`${where}.${field} ${String(sc[field])} must be from 0 to ${MAX_ID}`);
  }
  (Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : []).forEach((g: unknown, i: number) => {
    if (bad(g)) out.push(`${where}.supplementalGroups[${i}] ${String(g)} must be from 0 to ${MAX_ID}`);
  });
  return out;
}

function sysctlProblems(where: string, sysctls: unknown): string[] {
  if (!Array.isArray(sysctls)) return [];
  const out: string[] = [];
  const names = new Set<string>();
  sysctls.forEach((s: unknown, i: number) => {
    const name = isRecord(s) && typeof s.name === 'string' ? s.name : '';
    const at = `${where}.sysctls[${i}]`;
    if (name === '') out.push(`${at}.name is required`);
    else if (name.length > SYSCTL_MAX || !SYSCTL_NAME.test(name)) out.push(`${at}.name ${JSON.stringify(name)} is not a sysctl name (segments of a-z, 0-9, '-' and '_' joined by '.' or '/', at most ${SYSCTL_MAX} characters)`);
    else if (names.has(name)) out.push(`${at}.name ${JSON.stringify(name)} is set twice`);
    names.add(name);
  });
  return out;
}

/** The pod's and its containers' security contexts as the API server validates them. */
export function securityContextProblems(podSpec: Record<string, any>): string[] {
  const out: string[] = [];
  if (isRecord(podSpec.securityContext)) {
    const sc = podSpec.securityContext;
    out.push(...profileProblems('securityContext', sc.seccompProfile, 'seccompProfile'), ...profileProblems('securityContext', sc.appArmorProfile, 'appArmorProfile'), ...idProblems('securityContext', sc), ...sysctlProblems('securityContext', sc.sysctls));
  }
  for (const ref of allContainers(podSpec)) {
    const sc = ref.container.securityContext;
    if (!isRecord(sc)) continue;
    const where = `${describeContainer(ref)}: securityContext`;
    out.push(...profileProblems(where, sc.seccompProfile, 'seccompProfile'), ...profileProblems(where, sc.appArmorProfile, 'appArmorProfile'), ...idProblems(where, sc));
  }
  return out;
}
