/**
 * The CustomResourceDefinitions the API server refuses for their names, versions and conversion
 * (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation: ValidateCustomResourceDefinition,
 * validateCustomResourceDefinitionSpec, ValidateCustomResourceDefinitionNames,
 * validateCustomResourceConversion; the v1 defaults fill names.singular and names.listKind),
 * part of `api-constraints`:
 *  - metadata.name is `<spec.names.plural>.<spec.group>`; the group a DNS subdomain with a dot;
 *  - scope Namespaced or Cluster;
 *  - versions with DNS-1035 names, each once, each with a schema.openAPIV3Schema, exactly one
 *    of them the storage version;
 *  - names: plural and kind given; plural, singular and shortNames DNS-1035 labels, kind and
 *    listKind such labels in lower case;
 *  - conversion: strategy None or Webhook; Webhook with a clientConfig (a url or a service,
 *    not both) and conversionReviewVersions including v1 or v1beta1; None without either.
 * The schemas themselves (structural rules, CEL rules) are the API server's to judge.
 */
import { isRecord, K8sObject, stringField as text } from './objects';
import { nameProblem } from './rules-names';

/** acceptedConversionReviewVersions. */
const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

function label(field: string, value: string, lower = false): string | undefined {
  const problem = nameProblem(field, lower ? value.toLowerCase() : value, 'dns1035-label');
  return problem && lower ? `${field} ${JSON.stringify(value)} may have mixed case, but should otherwise be a DNS-1035 label (letters, digits and '-', starting with a letter)` : problem;
}

/** Why the API server refuses this CustomResourceDefinition (apiextensions.k8s.io/v1). */
export function checkCrdSpec(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const out: string[] = [];
  const group = text(spec.group);
  const plural = text(names.plural);
  if (o.metadata.name !== `${plural}.${group}`) out.push(`metadata.name ${JSON.stringify(o.metadata.name)} must be spec.names.plural + "." + spec.group: ${JSON.stringify(`${plural}.${group}`)}`);
  if (group === '') out.push('spec.group is required (e.g. example.com)');
  else {
    const p = nameProblem('spec.group', group, 'dns1123-subdomain');
    if (p) out.push(p);
    else if (!group.includes('.')) out.push(`spec.group ${JSON.stringify(group)} should be a domain with at least one dot`);
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') out.push(`spec.scope ${spec.scope === undefined ? 'is required' : JSON.stringify(spec.scope)}: Namespaced or Cluster`);
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((v: unknown, i: number) => {
    const version = isRecord(v) ? v : {};
    const name = text(version.name);
    const p = label(`spec.versions[${i}].name`, name);
    if (p) out.push(p);
    else if (seen.has(name)) out.push(`spec.versions[${i}].name ${JSON.stringify(name)} repeats an earlier version's: version names are unique`);
    seen.add(name);
    if (version.storage === true) storage++;
    if (!isRecord(version.schema) || !isRecord(version.schema.openAPIV3Schema)) out.push(`spec.versions[${i}].schema.openAPIV3Schema is required (schemas are required)`);
  });
  if (storage !== 1) out.push(`spec.versions has ${storage} storage versions: exactly one version is marked storage: true`);
  if (plural === '') out.push('spec.names.plural is required');
  if (text(names.kind) === '') out.push('spec.names.kind is required');
  for (const [field, lower] of [['plural', false], ['singular', false], ['kind', true], ['listKind', true]] as const) {
    const value = text(names[field]);
    if (value === '') continue;
    const p = label(`spec.names.${field}`, value, lower);
    if (p) out.push(p);
  }
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: unknown, i: number) => {
    const p = label(`spec.names.shortNames[${i}]`, text(s));
    if (p) out.push(p);
  });
  if (isRecord(spec.conversion)) {
    const conversion = spec.conversion;
    const strategy = conversion.strategy;
    const webhook = isRecord(conversion.webhook) ? conversion.webhook : undefined;
    if (strategy !== 'None' && strategy !== 'Webhook') out.push(`spec.conversion.strategy ${strategy === undefined ? 'is required' : JSON.stringify(strategy)}: None or Webhook`);
    else if (strategy === 'Webhook') {
      const config = webhook && isRecord(webhook.clientConfig) ? webhook.clientConfig : undefined;
      if (!config) out.push('spec.conversion.webhook.clientConfig is required with strategy Webhook');
      else if ((config.url === undefined) === (config.service === undefined)) out.push('spec.conversion.webhook.clientConfig needs exactly one of url and service');
      const reviews = webhook && Array.isArray(webhook.conversionReviewVersions) ? webhook.conversionReviewVersions.map(String) : [];
      if (reviews.length === 0) out.push('spec.conversion.webhook.conversionReviewVersions is required with strategy Webhook');
      else if (!reviews.some((r: string) => CONVERSION_REVIEW_VERSIONS.includes(r))) out.push(`spec.conversion.webhook.conversionReviewVersions must include one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`);
    } else if (webhook !== undefined) out.push('spec.conversion.webhook is set with strategy None: leave it out');
  }
  return out;
}
