/**
 * The admission objects the API server refuses and the OpenAPI schema cannot see (kubernetes
 * pkg/apis/admissionregistration/validation: validateValidatingAdmissionPolicySpec,
 * validateValidatingAdmissionPolicyBindingSpec, validateMatchConditions; the CEL variables of
 * k8s.io/apiserver/pkg/admission/plugin/cel compile.go createEnvForOpts), part of `api-constraints`:
 *  - a ValidatingAdmissionPolicy: failurePolicy Fail or Ignore, a paramKind with apiVersion and
 *    kind, matchConstraints with resourceRules, validations or auditAnnotations; each expression
 *    given, with closed strings and matched brackets (cel-references.ts), naming only variables
 *    the API server declares there: object, oldObject, request and namespaceObject everywhere;
 *    params only with a paramKind; authorizer everywhere but in a messageExpression; variables
 *    only where the policy declares some, not in matchConditions (compiled without them), and
 *    `variables.<name>` only for a declared name (in a variable, one declared before it);
 *    variable names CEL identifiers, once each; messages on one line; a known reason; at most 20
 *    auditAnnotations with distinct keys, `<policy name>/<key>` a qualified name, value
 *    expressions up to 5 KiB; at most 64 matchConditions with distinct qualified names;
 *  - a ValidatingAdmissionPolicyBinding: a policyName, validationActions given, known, once
 *    each and not Deny with Warn, a paramRef by name or by selector with a parameterNotFoundAction;
 *  - the matchConditions of Validating and Mutating webhook configurations, as above without
 *    params and variables.
 * Type errors (a field the object's schema lacks, a non-bool validation) are the API server's:
 * it types expressions against the resources' schemas, which validate does not have.
 */
import { labelKeyProblems } from '../../constructs/lib/k8s-names';
import { celReferences, isCelIdentifier } from './cel-references';
import { isRecord, K8sObject, stringField as text } from './objects';
import { nameProblem } from './rules-names';
import { labelSelectorProblems } from './rules-object-meta';

const ADMISSION_GROUP = 'admissionregistration.k8s.io/';
const FAILURE_POLICIES = ['Fail', 'Ignore'];
/** supportedValidationPolicyReason. */
const REASONS = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'];
const MAX_MATCH_CONDITIONS = 64;
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_VALUE_EXPRESSION_BYTES = 5 * 1024;

/** What an expression may name: the optional declarations of compile.go and the policy's composition. */
interface Scope {
  /** Whether params is declared; false: why not. */
  readonly params: true | string;
  readonly authorizer: boolean;
  /** The composition names it may select on `variables`; undefined: `variables` is not declared. */
  readonly variables?: readonly string[];
}


/** Problems of one CEL expression at `where` (undefined: not given, which the caller judges). */
function expressionProblems(expression: string, where: string, scope: Scope): string[] {
  const refs = celReferences(expression);
  if (refs.syntaxError) return [`${where} is not a CEL expression: ${refs.syntaxError}`];
  const out: string[] = [];
  for (const name of refs.variables) {
    if (name === 'object' || name === 'oldObject' || name === 'request' || name === 'namespaceObject') continue;
    if (name === 'params') {
      if (scope.params !== true) out.push(`${where} reads params, ${scope.params}`);
      continue;
    }
    if (name === 'authorizer') {
      if (!scope.authorizer) out.push(`${where} reads authorizer, which a messageExpression cannot (the API server declares it for expressions, not messages)`);
      continue;
    }
    if (name === 'variables') {
      if (scope.variables === undefined) out.push(`${where} reads variables, which ${where.includes('matchConditions') ? 'matchConditions cannot (they are compiled without the policy\'s variables)' : 'the policy does not declare (spec.variables)'}`);
      continue;
    }
    out.push(`${where} names ${JSON.stringify(name)}, which is no variable of an admission expression (object, oldObject, request, namespaceObject, params, authorizer, variables): a typo?`);
  }
  if (scope.variables !== undefined) {
    for (const name of refs.compositionNames) {
      if (!scope.variables.includes(name)) out.push(`${where} reads variables.${name}, which is not declared ${where.startsWith('spec.variables') ? 'before it in spec.variables' : 'in spec.variables'}`);
    }
  }
  return out;
}

/** validateMatchConditions: at most 64, each named (a qualified name, once) and with an expression. */
function matchConditionProblems(conditions: unknown, base: string, scope: Scope): string[] {
  if (!Array.isArray(conditions)) return [];
  const out: string[] = [];
  if (conditions.length > MAX_MATCH_CONDITIONS) out.push(`${base} has ${conditions.length} conditions: at most ${MAX_MATCH_CONDITIONS}`);
  const names = new Set<string>();
  conditions.forEach((c: unknown, i: number) => {
    const condition = isRecord(c) ? c : {};
    const where = `${base}[${i}]`;
    const name = text(condition.name);
    if (name === '') out.push(`${where}.name is required`);
    else {
      for (const p of labelKeyProblems(name)) out.push(`${where}.name ${JSON.stringify(name)} ${p}`);
      if (names.has(name)) out.push(`${where}.name ${JSON.stringify(name)} repeats an earlier condition's`);
      names.add(name);
    }
    const expression = text(condition.expression);
    if (expression.trim() === '') out.push(`${where}.expression is required`);
    else out.push(...expressionProblems(expression.trim(), `${where}.expression`, scope));
  });
  return out;
}

function paramKindProblems(paramKind: Record<string, unknown>): string[] {
  const out: string[] = [];
  const apiVersion = text(paramKind.apiVersion);
  if (apiVersion === '') out.push('spec.paramKind.apiVersion is required');
  else {
    const parts = apiVersion.split('/');
    const [group, version] = parts.length === 1 ? ['', parts[0]] : parts;
    if (parts.length > 2) out.push(`spec.paramKind.apiVersion ${JSON.stringify(apiVersion)} is not group/version`);
    else {
      if (group !== '') { const p = nameProblem('spec.paramKind.apiVersion group', group, 'dns1123-subdomain'); if (p) out.push(p); }
      const p = version === '' ? 'spec.paramKind.apiVersion needs a version' : nameProblem('spec.paramKind.apiVersion version', version, 'dns1035-label');
      if (p) out.push(p);
    }
  }
  const kind = text(paramKind.kind);
  if (kind === '') out.push('spec.paramKind.kind is required');
  else if (nameProblem('kind', kind.toLowerCase(), 'dns1035-label')) out.push(`spec.paramKind.kind ${JSON.stringify(kind)} must be a kind name (letters, digits and '-', starting with a letter)`);
  return out;
}

function policyProblems(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const out: string[] = [];
  if (spec.failurePolicy !== undefined && !FAILURE_POLICIES.includes(String(spec.failurePolicy))) out.push(`spec.failurePolicy ${JSON.stringify(spec.failurePolicy)} must be Fail or Ignore`);
  const params = isRecord(spec.paramKind) ? true : 'but the policy has no spec.paramKind: the API server declares params only with one';
  if (isRecord(spec.paramKind)) out.push(...paramKindProblems(spec.paramKind));
  if (!isRecord(spec.matchConstraints)) out.push('spec.matchConstraints is required (the resources the policy checks)');
  else if (!Array.isArray(spec.matchConstraints.resourceRules) || spec.matchConstraints.resourceRules.length === 0) out.push('spec.matchConstraints.resourceRules is required: at least one rule, which gives the expressions their types');
  const variables = Array.isArray(spec.variables) ? spec.variables : [];
  const declared = variables.map((v: unknown) => text(isRecord(v) ? v.name : undefined));
  const composed = variables.length > 0 ? declared : undefined;
  out.push(...matchConditionProblems(spec.matchConditions, 'spec.matchConditions', { params, authorizer: true }));
  variables.forEach((v: unknown, i: number) => {
    const variable = isRecord(v) ? v : {};
    const where = `spec.variables[${i}]`;
    const name = declared[i];
    if (name.trim() === '') out.push(`${where}.name is required`);
    else if (!isCelIdentifier(name)) out.push(`${where}.name ${JSON.stringify(name)} is not a CEL identifier (letters, digits and _, not starting with a digit, no reserved word)`);
    else if (declared.indexOf(name) < i) out.push(`${where}.name ${JSON.stringify(name)} repeats an earlier variable's`);
    const expression = text(variable.expression);
    if (expression.trim() === '') out.push(`${where}.expression is required`);
    else out.push(...expressionProblems(expression, `${where}.expression`, { params, authorizer: true, variables: declared.slice(0, i) }));
  });
  const validations = Array.isArray(spec.validations) ? spec.validations : [];
  const audits = Array.isArray(spec.auditAnnotations) ? spec.auditAnnotations : [];
  if (validations.length === 0 && audits.length === 0) out.push('spec has neither validations nor auditAnnotations: a policy needs at least one');
  validations.forEach((v: unknown, i: number) => {
    const validation = isRecord(v) ? v : {};
    const where = `spec.validations[${i}]`;
    const expression = text(validation.expression);
    if (expression.trim() === '') out.push(`${where}.expression is required`);
    else out.push(...expressionProblems(expression, `${where}.expression`, { params, authorizer: true, variables: composed }));
    const messageExpression = text(validation.messageExpression);
    if (validation.messageExpression !== undefined && messageExpression.trim() === '') out.push(`${where}.messageExpression is empty: give one or leave it out`);
    else if (messageExpression.trim() !== '') out.push(...expressionProblems(messageExpression, `${where}.messageExpression`, { params, authorizer: false, variables: composed }));
    const message = text(validation.message);
    if (validation.message !== undefined && message.trim() === '') out.push(`${where}.message is empty: give one or leave it out`);
    else if (/[\n\r]/.test(message.trim())) out.push(`${where}.message has a line break: a message is one line`);
    if (validation.reason !== undefined && !REASONS.includes(String(validation.reason))) out.push(`${where}.reason ${JSON.stringify(validation.reason)} must be one of ${REASONS.join(', ')}`);
  });
  if (audits.length > MAX_AUDIT_ANNOTATIONS) out.push(`spec.auditAnnotations has ${audits.length} entries: at most ${MAX_AUDIT_ANNOTATIONS}`);
  const keys = new Set<string>();
  audits.forEach((a: unknown, i: number) => {
    const audit = isRecord(a) ? a : {};
    const where = `spec.auditAnnotations[${i}]`;
    const key = text(audit.key);
    for (const p of labelKeyProblems(`${o.metadata.name}/${key}`)) out.push(`${where}.key ${JSON.stringify(key)}: "${o.metadata.name}/${key}" ${p}`);
    if (keys.has(key)) out.push(`${where}.key ${JSON.stringify(key)} repeats an earlier annotation's`);
    keys.add(key);
    const value = text(audit.valueExpression).trim();
    if (value === '') out.push(`${where}.valueExpression is required`);
    else if (Buffer.byteLength(value) > MAX_AUDIT_VALUE_EXPRESSION_BYTES) out.push(`${where}.valueExpression is ${Buffer.byteLength(value)} bytes: at most ${MAX_AUDIT_VALUE_EXPRESSION_BYTES}`);
    else out.push(...expressionProblems(value, `${where}.valueExpression`, { params, authorizer: true, variables: composed }));
  });
  return out;
}

function bindingProblems(o: K8sObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const out: string[] = [];
  const policyName = text(spec.policyName);
  if (policyName === '') out.push('spec.policyName is required (the policy this binds)');
  else { const p = nameProblem('spec.policyName', policyName, 'dns1123-subdomain'); if (p) out.push(p); }
  const actions = Array.isArray(spec.validationActions) ? spec.validationActions.map(String) : [];
  if (actions.length === 0) out.push('spec.validationActions is required: at least one of Deny, Warn, Audit');
  actions.forEach((a: string, i: number) => {
    if (!VALIDATION_ACTIONS.includes(a)) out.push(`spec.validationActions[${i}] ${JSON.stringify(a)} must be Deny, Warn or Audit`);
    else if (actions.indexOf(a) < i) out.push(`spec.validationActions[${i}] repeats ${a}`);
  });
  if (actions.includes('Deny') && actions.includes('Warn')) out.push('spec.validationActions holds both Deny and Warn: a denied request already carries the message (keep Deny, or Warn with Audit)');
  if (isRecord(spec.paramRef)) {
    const ref = spec.paramRef;
    const name = text(ref.name);
    if (name !== '') { const p = nameProblem('spec.paramRef.name', name, 'path-segment'); if (p) out.push(p); }
    if (name !== '' && ref.selector !== undefined && ref.selector !== null) out.push('spec.paramRef sets both name and selector: one of them');
    if (name === '' && (ref.selector === undefined || ref.selector === null)) out.push('spec.paramRef needs a name or a selector');
    if (isRecord(ref.selector)) out.push(...labelSelectorProblems('spec.paramRef.selector', ref.selector));
    const action = text(ref.parameterNotFoundAction);
    if (action === '') out.push('spec.paramRef.parameterNotFoundAction is required (Allow or Deny)');
    else if (action !== 'Allow' && action !== 'Deny') out.push(`spec.paramRef.parameterNotFoundAction ${JSON.stringify(action)} must be Allow or Deny`);
  }
  return out;
}

/** The matchConditions of each webhook of a webhook configuration (no params, no variables). */
function webhookProblems(o: K8sObject): string[] {
  const webhooks = Array.isArray(o.webhooks) ? o.webhooks : [];
  return webhooks.flatMap((w: unknown, i: number) => (isRecord(w) ? matchConditionProblems(w.matchConditions, `webhooks[${i}].matchConditions`, { params: 'which a webhook\'s matchConditions cannot (webhooks have no parameters)', authorizer: true }) : []));
}

/** Why the API server refuses this admission object, or nothing. */
export function checkAdmissionSpec(o: K8sObject): string[] {
  if (!o.apiVersion.startsWith(ADMISSION_GROUP)) return [];
  if (o.kind === 'ValidatingAdmissionPolicy') return policyProblems(o);
  if (o.kind === 'ValidatingAdmissionPolicyBinding') return bindingProblems(o);
  if (o.kind === 'ValidatingWebhookConfiguration' || o.kind === 'MutatingWebhookConfiguration') return webhookProblems(o);
  return [];
}
