/**
 * The name grammars of the Kubernetes API, as k8s.io/apimachinery defines them
 * (pkg/util/validation, pkg/api/validate/content): DNS-1123 labels and
 * subdomains, DNS-1035 labels, path segments, label keys and values, port
 * names. Dependency-free, so that the config schemas (constructs/) and the
 * review rules (src/analysis) judge a name with the same rule and words.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Lowercase alphanumerics and `-`, alphanumeric at both ends, at most 63 characters. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** Dot-separated DNS-1123 labels, at most 253 characters in all (Kubernetes does not limit each label). */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** The name grammars Kubernetes applies to `metadata.name`, by kind. */
export type NameGrammar = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

const GRAMMAR_TEXT: Record<Exclude<NameGrammar, 'path-segment'>, { title: string; max: number; re: RegExp; chars: string }> = {
  'dns1123-subdomain': { title: 'DNS-1123 subdomain', max: 253, re: DNS1123_SUBDOMAIN, chars: "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit" },
  'dns1123-label': { title: 'DNS-1123 label', max: 63, re: DNS1123_LABEL, chars: "lowercase letters, digits and '-', starting and ending with a letter or digit" },
  'dns1035-label': { title: 'DNS-1035 label', max: 63, re: DNS1035_LABEL, chars: "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit" },
};

/** Why `value` is not a valid `field` under `grammar`, or undefined when it is (the one wording of every rule that checks names). */
export function nameProblem(field: string, value: string, grammar: NameGrammar): string | undefined {
  if (grammar === 'path-segment') {
    if (value === '' || value === '.' || value === '..' || /[/%]/.test(value)) {
      return `${field} ${JSON.stringify(value)} must not contain '/' or '%' and must not be '.' or '..'`;
    }
    return undefined;
  }
  const g = GRAMMAR_TEXT[grammar];
  if (!g.re.test(value)) return `${field} ${JSON.stringify(value)} is not a valid ${g.title} (${g.chars})`;
  if (value.length > g.max) return `${field} ${JSON.stringify(value)} is ${value.length} characters; a ${g.title} has at most ${g.max}`;
  return undefined;
}

/** A label key's name part and a non-empty label value (apimachinery content/kube.go labelKeyFmt). */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_NAME_CHARS = "letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

/**
 * Why `key` is not a label key (what Kubernetes calls a qualified name: an optional DNS-1123
 * subdomain prefix and '/', then a name of at most 63 characters), in the order of apimachinery's
 * content.IsLabelKey; empty when valid. Annotation keys follow it too, lowercased first.
 */
export function labelKeyProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return ["holds more than one '/' (a label key is an optional DNS subdomain prefix and '/', then a name, e.g. app.kubernetes.io/name)"];
  const out: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === '') out.push("the prefix before '/' is empty");
    else {
      const prefix = nameProblem('the prefix', parts[0], 'dns1123-subdomain');
      if (prefix) out.push(prefix);
    }
  }
  if (name === '') out.push('the name part is empty');
  else if (!LABEL_NAME.test(name)) out.push(`the name part ${JSON.stringify(name)} must consist of ${LABEL_NAME_CHARS}`);
  else if (name.length > 63) out.push(`the name part is ${name.length} characters; at most 63`);
  return out;
}

/** Why `value` is not a label value (empty, or at most 63 characters of a label name: content.IsLabelValue); empty when valid. */
export function labelValueProblems(value: string): string[] {
  if (value !== '' && !LABEL_NAME.test(value)) return [`must be empty or consist of ${LABEL_NAME_CHARS}`];
  if (value.length > 63) return [`is ${value.length} characters; at most 63`];
  return [];
}

/** Whether `n` is a port number (apimachinery IsValidPortNum: 1-65535). */
export function isPortNumber(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Why `name` is not a valid port name (apimachinery IsValidPortName), in its order; empty when valid. */
export function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}
