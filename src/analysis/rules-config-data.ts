/**
 * `config-data`: ConfigMaps and Secrets the API server refuses and the OpenAPI
 * schema cannot see (kubernetes pkg/apis/core/validation ValidateConfigMap,
 * ValidateSecret; k8s.io/apimachinery pkg/util/validation IsConfigMapKey):
 *  - keys: at most 253 of letters, digits, '-', '_' and '.', not '.', '..'
 *    or starting with '..' (each key becomes a file name in a volume);
 *  - a ConfigMap key in data or in binaryData, not both;
 *  - at most 1 MiB of values (MaxSecretSize; a Secret's after base64 decoding,
 *    its stringData included: the API server merges it into data);
 *  - a Secret's type-specific keys: kubernetes.io/tls tls.crt and tls.key,
 *    kubernetes.io/dockerconfigjson .dockerconfigjson, kubernetes.io/dockercfg
 *    .dockercfg (each JSON), kubernetes.io/basic-auth username or password,
 *    kubernetes.io/ssh-auth a non-empty ssh-privatekey,
 *    kubernetes.io/service-account-token the kubernetes.io/service-account.name
 *    annotation.
 */
import { isRecord, K8sObject } from './objects';

/** core.MaxSecretSize, which ValidateConfigMap applies too. */
export const CONFIG_DATA_MAX_BYTES = 1024 * 1024;

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Why `key` is not a ConfigMap or Secret key (IsConfigMapKey, in its order); empty when valid. */
export function configKeyProblems(key: string): string[] {
  const out: string[] = [];
  if (key.length > 253) out.push(`is ${key.length} characters; at most 253`);
  if (!CONFIG_KEY.test(key)) out.push("must consist of letters, digits, '-', '_' or '.'");
  if (key === '.' || key === '..') out.push(`must not be '${key}'`);
  else if (key.startsWith('..')) out.push("must not start with '..'");
  return out;
}

function keyProblems(field: string, map: Record<string, unknown>): string[] {
  return Object.keys(map).flatMap(key => {
    const problems = configKeyProblems(key);
    return problems.length > 0 ? [`${field} key ${JSON.stringify(key)} ${problems.join('; ')} (it becomes a file name where the object is mounted)`] : [];
  });
}

const tooLarge = (kind: string, bytes: number) =>
  `holds ${bytes} bytes of values; the API server accepts at most ${CONFIG_DATA_MAX_BYTES} (1 MiB) in a ${kind}: split it, or mount the large files from elsewhere`;

/** A base64 value as the API server decodes it (Buffer is lenient where the server is not; the schema rule checks the encoding). */
const decoded = (v: unknown) => Buffer.from(typeof v === 'string' ? v : '', 'base64');
const textBytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);

function configMap(o: K8sObject): string[] {
  const data = isRecord(o.data) ? o.data : {};
  const binary = isRecord(o.binaryData) ? o.binaryData : {};
  const out = [...keyProblems('data', data), ...keyProblems('binaryData', binary)];
  for (const key of Object.keys(data)) if (Object.prototype.hasOwnProperty.call(binary, key)) out.push(`data key ${JSON.stringify(key)} is also a binaryData key: each key once`);
  const bytes = Object.values(data).reduce((n: number, v) => n + textBytes(v), 0) + Object.values(binary).reduce((n: number, v) => n + decoded(v).length, 0);
  if (bytes > CONFIG_DATA_MAX_BYTES) out.push(`data and binaryData ${tooLarge('ConfigMap', bytes)}`);
  return out;
}

/** Whether `bytes` are a JSON object, as Go's json.Unmarshal into a map requires. */
function isJsonObject(bytes: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return isRecord(v);
  } catch {
    return false;
  }
}

/** The keys a Secret type requires (ValidateSecret's switch on the type). */
function typeProblems(type: unknown, data: Map<string, Buffer>, o: K8sObject): string[] {
  const has = (k: string) => data.has(k);
  const need = (k: string) => (has(k) ? [] : [`type ${type} needs the key ${k}`]);
  const json = (k: string) => (!has(k) ? need(k) : isJsonObject(data.get(k)!) ? [] : [`type ${type}: the value of ${k} must be a JSON object`]);
  switch (type) {
    case 'kubernetes.io/tls': return [...need('tls.crt'), ...need('tls.key')];
    case 'kubernetes.io/dockerconfigjson': return json('.dockerconfigjson');
    case 'kubernetes.io/dockercfg': return json('.dockercfg');
    case 'kubernetes.io/basic-auth': return has('username') || has('password') ? [] : [`type ${type} needs the key username or password`];
    case 'kubernetes.io/ssh-auth': return (data.get('ssh-privatekey')?.length ?? 0) > 0 ? [] : [`type ${type} needs a non-empty ssh-privatekey`];
    case 'kubernetes.io/service-account-token': {
      const name = isRecord(o.metadata.annotations) ? o.metadata.annotations['kubernetes.io/service-account.name'] : undefined;
      return typeof name === 'string' && name !== '' ? [] : [`type ${type} needs the annotation kubernetes.io/service-account.name`];
    }
    default: return [];
  }
}

function secret(o: K8sObject): string[] {
  const data = isRecord(o.data) ? o.data : {};
  const stringData = isRecord(o.stringData) ? o.stringData : {};
  const out = [...keyProblems('data', data), ...keyProblems('stringData', stringData)];
  // The API server writes stringData over data, then validates the merged data.
  const merged = new Map<string, Buffer>(Object.entries(data).map(([k, v]) => [k, decoded(v)]));
  for (const [k, v] of Object.entries(stringData)) merged.set(k, Buffer.from(typeof v === 'string' ? v : '', 'utf8'));
  const bytes = [...merged.values()].reduce((n, b) => n + b.length, 0);
  if (bytes > CONFIG_DATA_MAX_BYTES) out.push(`data (with stringData) ${tooLarge('Secret', bytes)}`);
  out.push(...typeProblems(o.type, merged, o));
  return out;
}

export function checkConfigData(o: K8sObject): string[] {
  if (o.apiVersion !== 'v1') return [];
  if (o.kind === 'ConfigMap') return configMap(o);
  if (o.kind === 'Secret') return secret(o);
  return [];
}
