/**
 * How an environment reaches its cluster: exactly one delivery engine per
 * environment (docs/delivery.md).
 *
 * - `pulumi`: `pulumi up -s <env>` deploys the model (src/pulumi/); nothing extra is rendered.
 * - `kubectl`: `kubectl apply -k dist/<env>/ --prune --applyset=...`; synth renders the
 *   ApplySet parent (and its CRD) into dist/<env>/applyset/.
 * - `argocd`: Argo CD syncs dist/<env>/ from Git; synth renders an AppProject, a root
 *   Application and one Application per chart into dist/<env>/argocd/.
 * - `flux`: Flux syncs dist/<env>/ from Git; synth renders a GitRepository and one
 *   Kustomization per wave into dist/<env>/flux/ (with a folder per wave).
 *
 * The section names one engine and may carry the settings of that engine only:
 * settings of another engine (argocd settings while the engine is flux) are
 * refused, and so is a repository for an engine that reads none. The chosen
 * engine's settings get their defaults; the output is a union on `engine`.
 */
import { dnsLabel, dnsSubdomain, z } from '../../constructs/lib/schema';

export const DELIVERY_ENGINES = ['pulumi', 'argocd', 'flux', 'kubectl'] as const;
export type DeliveryEngine = (typeof DELIVERY_ENGINES)[number];
/** Engines that sync dist/<env>/ from a Git repository. */
const GITOPS_ENGINES: readonly DeliveryEngine[] = ['argocd', 'flux'];
/** Engines with a settings block of their own (the block is named after the engine). */
const SETTINGS_BLOCKS = ['argocd', 'flux', 'kubectl', 'pulumi'] as const;

const GIT_URL = /^(?:(?:https?|ssh|git):\/\/[^\s/@]+(?:@[^\s/]+)?(?::[0-9]{1,5})?\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;
/** A branch name git accepts (git check-ref-format, the common subset). */
const BRANCH = /^(?!-)(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/;
const REPO_PATH = /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
/** Go duration as Flux's CRDs accept it (metav1.Duration, pattern in the Kustomization and GitRepository schemas). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

const rule = (test: (v: string) => boolean, reason: (v: string) => string) => z.string().superRefine((v, ctx) => {
  if (!test(v)) ctx.addIssue({ code: 'custom', message: reason(v) });
});

export const repositorySchema = z.strictObject({
  /** Git URL the controller clones: https://, ssh:// or git@host:path. */
  url: rule(v => GIT_URL.test(v), v => `"${v}" is not a Git URL a controller can clone (https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git)`),
  /** Branch the controller follows (CI commits the re-rendered dist/ to it). @default main */
  revision: rule(v => BRANCH.test(v), v => `"${v}" is not a valid Git branch name (no spaces, "..", "~^:?*[\\", leading "-" or trailing "/", ".", ".lock")`).prefault('main'),
  /** Folder of this environment's rendered files in the repository, relative to its root. @default dist/<env> */
  path: rule(v => REPO_PATH.test(v), v => `"${v}" is not a relative folder of the repository (segments of letters, digits, ".", "_", "-"; no leading "/", no "." or ".." segment)`).optional(),
});

export const argocdSettingsSchema = z.strictObject({
  /** Namespace Argo CD runs in; its Applications and AppProjects are created there. @default argocd */
  namespace: dnsLabel().prefault('argocd'),
  /** API server the Applications deploy to (the in-cluster one, or a cluster added with `argocd cluster add`). @default https://kubernetes.default.svc */
  destinationServer: rule(v => /^https:\/\/[^\s/]+(?::[0-9]{1,5})?\/?$/.test(v), v => `"${v}" is not an API server URL (https://host[:port])`).prefault('https://kubernetes.default.svc'),
});

const goDuration = () => rule(v => GO_DURATION.test(v), v => `"${v}" is not a Go duration as Flux reads it (e.g. 30s, 1m, 1h30m)`);

export const fluxSettingsSchema = z.strictObject({
  /** Namespace of the Flux controllers; the GitRepository and Kustomizations are created there. @default flux-system */
  namespace: dnsLabel().prefault('flux-system'),
  /** How often Flux fetches the repository and reconciles each wave. @default 1m */
  interval: goDuration().prefault('1m'),
  /** How long one wave may take to apply and become ready (`wait: true`) before it fails. @default 10m */
  timeout: goDuration().prefault('10m'),
});

export const pulumiSettingsSchema = z.strictObject({
  /**
   * Register the objects that hold data (the Namespaces holding claims, the
   * StatefulSets with claims, the PersistentVolumeClaims) with Pulumi's
   * `protect`: `pulumi destroy`, and any update that would delete or replace
   * one of them, fails until it is unprotected (docs/pulumi.md, "Destroy").
   * They are `retainOnDelete` in every environment either way. @default false
   */
  protectData: z.boolean().prefault(false),
});

export const kubectlSettingsSchema = z.strictObject({
  /** Name of the ApplySet parent (a cluster-scoped object). @default dockercoins-<env> */
  applySetName: dnsSubdomain().optional(),
});

type Repository = z.output<typeof repositorySchema>;
/** The validated delivery section: exactly one engine, with that engine's settings only. */
export type DeliveryConfig =
  | { readonly engine: 'pulumi'; readonly pulumi: z.output<typeof pulumiSettingsSchema> }
  | { readonly engine: 'kubectl'; readonly kubectl: z.output<typeof kubectlSettingsSchema> }
  | { readonly engine: 'argocd'; readonly repository: Repository; readonly argocd: z.output<typeof argocdSettingsSchema> }
  | { readonly engine: 'flux'; readonly repository: Repository; readonly flux: z.output<typeof fluxSettingsSchema> };

/**
 * The `delivery` section. @default { engine: pulumi }
 */
export const deliverySchema = z.strictObject({
  /** The one engine that delivers this environment: pulumi, argocd, flux or kubectl. */
  engine: z.enum(DELIVERY_ENGINES),
  /** Where the GitOps engines (argocd, flux) read dist/<env>/ from; required by them, refused by the others. */
  repository: repositorySchema.optional(),
  /** Argo CD settings (engine argocd only). @default - the defaults of each field */
  argocd: argocdSettingsSchema.optional(),
  /** Flux settings (engine flux only). @default - the defaults of each field */
  flux: fluxSettingsSchema.optional(),
  /** kubectl ApplySet settings (engine kubectl only). @default - the defaults of each field */
  kubectl: kubectlSettingsSchema.optional(),
  /** Pulumi settings (engine pulumi only). @default - the defaults of each field */
  pulumi: pulumiSettingsSchema.optional(),
}).superRefine((d, ctx) => {
  for (const block of SETTINGS_BLOCKS) {
    if (d[block] !== undefined && block !== d.engine) {
      ctx.addIssue({ code: 'custom', path: [block], message: `settings of engine ${block}, but engine is ${d.engine}: an environment has exactly one delivery engine; remove delivery.${block}, or set delivery.engine: ${block} (and remove the other engine's settings)` });
    }
  }
  const gitops = GITOPS_ENGINES.includes(d.engine);
  if (gitops && d.repository === undefined) {
    ctx.addIssue({ code: 'custom', path: ['repository'], message: `required by engine ${d.engine}: the Git url (and revision, path) ${d.engine === 'argocd' ? 'Argo CD' : 'Flux'} syncs the rendered dist/<env>/ from, e.g. { url: https://git.example.com/platform/dockercoins.git }` });
  }
  if (!gitops && d.repository !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['repository'], message: `engine ${d.engine} reads no repository (it ${d.engine === 'pulumi' ? 'deploys the model itself' : 'applies the local dist/<env>/'}): remove delivery.repository, or choose engine argocd or flux` });
  }
}).transform((d): DeliveryConfig => {
  switch (d.engine) {
    case 'pulumi': return { engine: 'pulumi', pulumi: d.pulumi ?? pulumiSettingsSchema.parse({}) };
    case 'kubectl': return { engine: 'kubectl', kubectl: d.kubectl ?? kubectlSettingsSchema.parse({}) };
    case 'argocd': return { engine: 'argocd', repository: d.repository!, argocd: d.argocd ?? argocdSettingsSchema.parse({}) };
    case 'flux': return { engine: 'flux', repository: d.repository!, flux: d.flux ?? fluxSettingsSchema.parse({}) };
  }
}).prefault({ engine: 'pulumi' });

/** Where the environment file lives (for messages). */
export const environmentFile = (env: string) => `src/config/environments/${env}.ts`;

/**
 * Why Pulumi must not deploy this environment, or undefined when its engine is
 * pulumi. Pulumi and a second engine owning one environment would fight over
 * every object (each reverting the other, and each pruning what it does not know).
 */
export function pulumiRefusal(env: { readonly name: string; readonly delivery: DeliveryConfig }): string | undefined {
  if (env.delivery.engine === 'pulumi') return undefined;
  return `Environment "${env.name}" is delivered by ${env.delivery.engine} (delivery.engine in ${environmentFile(env.name)}), not by Pulumi; nothing was deployed. `
    + 'One environment has exactly one engine: deliver it as docs/delivery.md describes for that engine, '
    + `or make Pulumi its engine with delivery: { engine: 'pulumi' } in ${environmentFile(env.name)} (and stop the other engine first).`;
}
