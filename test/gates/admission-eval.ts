/**
 * Evaluates rendered ValidatingAdmissionPolicies the way the API server does,
 * with the CEL implementation for JavaScript (@bufbuild/cel, with its strings
 * extension: the Kubernetes CEL environment includes cel-go's ext.Strings,
 * https://kubernetes.io/docs/reference/using-api/cel/ "Kubernetes CEL libraries").
 *
 * The order is the API server's (k8s.io/apiserver admission/plugin/policy/validating):
 * matchConditions first (all true, else the policy does not apply), then the
 * validations, each with `variables` (here evaluated in declaration order,
 * each seeing the earlier ones, as lazily composed variables do).
 *
 * Values reach CEL as the API server hands them over: JSON objects are maps,
 * integers are CEL ints (int64 in the Kubernetes schema), and nulls are absent
 * (the API server drops null fields when it decodes a typed object).
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { K8sObject, PodTemplate } from '../../src/analysis/objects';
import { podTemplateOf, namespaceOf } from '../../src/analysis/objects';

const ENV = celEnv({ funcs: strings });

type Program = (bindings: Record<string, unknown>) => unknown;
const cache = new Map<string, Program>();

/** Parses and plans a CEL expression once. */
export function compile(expression: string): Program {
  let p = cache.get(expression);
  if (!p) {
    const planned = plan(ENV, parse(expression));
    p = (bindings) => planned(bindings as never);
    cache.set(expression, p);
  }
  return p;
}

/** JSON as the API server gives it to CEL. */
export function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(toCel);
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

/** One failed validation: its message (the messageExpression's result when it evaluates) and the rule it names. */
export interface Failure {
  readonly rule: string;
  readonly check: string;
  readonly message: string;
  readonly reason?: string;
}

export interface Verdict {
  /** Whether the matchConditions selected the request. */
  readonly matched: boolean;
  readonly failures: Failure[];
  /** Evaluation errors (an expression that could not be evaluated; with failurePolicy Fail, a refusal). */
  readonly errors: string[];
}

/** Evaluates one ValidatingAdmissionPolicy's spec on a request for `object`. */
export function evaluatePolicy(spec: any, object: unknown, request: { operation: 'CREATE' | 'UPDATE'; oldObject?: unknown } = { operation: 'CREATE' }): Verdict {
  const base: Record<string, unknown> = {
    object: toCel(object),
    oldObject: request.oldObject === undefined ? null : toCel(request.oldObject),
    request: toCel({ operation: request.operation }),
  };
  const errors: string[] = [];
  for (const mc of spec.matchConditions ?? []) {
    const r = compile(mc.expression)(base);
    if (isCelError(r)) errors.push(`matchCondition ${mc.name}: ${r.message}`);
    else if (r !== true) return { matched: false, failures: [], errors };
  }
  const variables = new Map<string, unknown>();
  for (const v of spec.variables ?? []) {
    const r = compile(v.expression)({ ...base, variables });
    if (isCelError(r)) errors.push(`variable ${v.name}: ${r.message}`);
    else variables.set(v.name, r);
  }
  const failures: Failure[] = [];
  for (const v of spec.validations ?? []) {
    const r = compile(v.expression)({ ...base, variables });
    const [, rule, check] = /^\[([^/\]]+)\/([^\]]+)\]/.exec(v.message) ?? [];
    if (isCelError(r)) {
      errors.push(`${v.message}: ${r.message}`);
      continue;
    }
    if (r === true) continue;
    if (r !== false) errors.push(`${v.message}: evaluated to ${String(r)}, not a bool`);
    let message: string = v.message;
    if (v.messageExpression) {
      const m = compile(v.messageExpression)({ ...base, variables });
      if (typeof m === 'string') message = m;
      else errors.push(`messageExpression of ${v.message}: ${isCelError(m) ? m.message : `evaluated to ${String(m)}`}`);
    }
    failures.push({ rule, check, message, reason: v.reason });
  }
  return { matched: true, failures, errors };
}

/** Kinds of the controller owner a workload's pods get (the object a controller creates them from). */
const OWNER_KIND: Record<string, string | undefined> = {
  Deployment: 'ReplicaSet', ReplicaSet: 'ReplicaSet', StatefulSet: 'StatefulSet', DaemonSet: 'DaemonSet', Job: 'Job', CronJob: 'Job', Pod: undefined,
};

/**
 * The Pod a workload's controller creates from its template, as admission
 * sees it: the template's metadata and spec, the workload's namespace, and
 * the controller ownerReference (a Deployment's pods are owned by its
 * ReplicaSet, a CronJob's by its Job).
 */
export function admissionPod(o: K8sObject): { pod: K8sObject; namespace: string } | undefined {
  const tpl: PodTemplate | undefined = podTemplateOf(o);
  if (!tpl) return undefined;
  const namespace = namespaceOf(o) ?? 'default';
  if (o.kind === 'Pod') return { pod: o, namespace };
  const owner = OWNER_KIND[o.kind];
  const pod: K8sObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...tpl.metadata,
      name: `${o.metadata.name}-0`,
      namespace,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner, name: o.metadata.name, uid: '0', controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: tpl.spec,
  };
  return { pod, namespace };
}

/** The identifiers called in a CEL expression (functions, methods and macros), string literals skipped. */
export function calledFunctions(expression: string): string[] {
  const code = expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  return [...new Set([...code.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]))].sort();
}
