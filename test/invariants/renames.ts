/**
 * Overrides that rename every configurable namespace and host of an
 * environment, discovered from the loaded configuration itself (so a field
 * added to the schema is renamed too, without editing this file):
 *  - a string field named `namespace` or ending in `Namespace`
 *    (`dockercoins[].namespace`, `stateful.namespace`,
 *    `edge.monitoring.namespace`, `edge.imageRegistry.namespace`,
 *    `ingress.controllerNamespace` = Traefik's namespace, ...);
 *  - a string field named `host` or ending in `Host`
 *    (`dockercoins[].host`, `logging.kibana.host`, `stateful.consul.ui.host`,
 *    `edge.monitoring.prometheus.ingressHost`, `edge.traefik.dashboardHost`);
 *  - string lists whose key ends in `Namespaces` (`clientNamespaces`), which
 *    refer to the namespaces above and are mapped the same way.
 * Free-form maps (`settings`, `parameters`) are left alone. Lists of named
 * items carry their `name`, so the override merges into the right item.
 */
import { isRecord } from '../../constructs/lib/record';
import { EnvironmentConfig } from '../../src/config';

export interface Renaming {
  /** The override object for `loadEnvironment(env, overrides)`. */
  readonly overrides: Record<string, unknown>;
  /** Old namespace -> new namespace. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Old host -> new host. */
  readonly hosts: ReadonlyMap<string, string>;
  /** Config paths that were renamed, e.g. `edge.monitoring.namespace`. */
  readonly paths: readonly string[];
}

// `delivery` names where the engine's controller runs (argocd, flux-system): not a namespace of the model, and not
// overridable by a stack (one engine per environment, chosen in its file).
const FREE_FORM = new Set(['settings', 'parameters', 'delivery']);
const isNamespaceKey = (key: string) => key === 'namespace' || /Namespace$/.test(key);
const isNamespaceListKey = (key: string) => /Namespaces$/.test(key);
const isHostKey = (key: string) => key === 'host' || /Host$/.test(key);

/**
 * Renames with `suffix`: namespace `data` -> `data-<suffix>`, host
 * `kibana.example.com` -> `kibana-<suffix>.example.com` (the old name is never
 * a substring of the new one, so "the old name appears nowhere" is a real test).
 * `select` narrows the renaming to some config paths (as listed in `paths`).
 */
export function renameEverything(env: EnvironmentConfig, suffix = 'renamed', select: (path: string) => boolean = () => true): Renaming {
  const namespaces = new Map<string, string>();
  const hosts = new Map<string, string>();
  const paths: string[] = [];
  const ns = (old: string) => {
    if (!namespaces.has(old)) namespaces.set(old, `${old}-${suffix}`.slice(0, 63).replace(/-+$/, ''));
    return namespaces.get(old)!;
  };
  const host = (old: string) => {
    if (!hosts.has(old)) {
      const [first, ...rest] = old.split('.');
      hosts.set(old, [`${first}-${suffix}`, ...rest].join('.'));
    }
    return hosts.get(old)!;
  };

  // Pass 1 collects the renamed namespaces, pass 2 maps the lists that refer to them.
  const walk = (value: unknown, path: string, mapLists: boolean): unknown => {
    if (Array.isArray(value)) {
      const items = value.map((item, i) => {
        const named = isRecord(item) && typeof item.name === 'string';
        const patch = walk(item, `${path}[${named ? (item as { name: string }).name : i}]`, mapLists);
        return patch === undefined ? undefined : named ? { name: (item as { name: string }).name, ...(patch as object) } : patch;
      });
      if (items.every(i => i === undefined)) return undefined;
      // An override replaces a list of unnamed items wholesale: keeping it exact would need every item restated.
      if (!value.every(item => isRecord(item) && typeof item.name === 'string')) throw new Error(`${path}: cannot rename inside a list of unnamed items`);
      return items.filter(i => i !== undefined);
    }
    if (!isRecord(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const p = path ? `${path}.${key}` : key;
      if (FREE_FORM.has(key)) continue;
      if (typeof v === 'string' && isNamespaceKey(key)) { if (select(p)) { out[key] = ns(v); if (!mapLists) paths.push(p); } continue; }
      if (typeof v === 'string' && isHostKey(key)) { if (select(p)) { out[key] = host(v); if (!mapLists) paths.push(p); } continue; }
      if (Array.isArray(v) && isNamespaceListKey(key) && v.every(x => typeof x === 'string')) {
        if (mapLists && v.some(x => namespaces.has(x as string))) { out[key] = v.map(x => namespaces.get(x as string) ?? x); paths.push(p); }
        continue;
      }
      const patch = walk(v, p, mapLists);
      if (patch !== undefined) out[key] = patch;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  walk(env, '', false);
  const overrides = (walk(env, '', true) ?? {}) as Record<string, unknown>;
  return { overrides, namespaces, hosts, paths };
}
