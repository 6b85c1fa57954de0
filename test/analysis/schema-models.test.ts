import * as path from 'path';
import { isKustomizationFile, loadManifests, parseManifests } from '../../src/analysis/objects';
import { hasSchema, modelFile, validateSchema } from '../../src/analysis/schema';
import { RENDERED_KIND_MODELS } from '../../src/analysis/schema-models';
import { ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { renderEnvironment } from '../../src/render';

// src/analysis/schema-models.ts lists the model modules of the kinds the stack renders as static
// requires, so the validate bundle carries them (issue "Fast feedback": validate <= 0.6 s). The
// requirement here: the list changes no result. Each entry is exactly the module the lookup on disk
// finds for its kind, and every kind the stack renders that has a model is listed (a kind added to
// the stack without an entry would quietly fall back to loading from disk: slower, same result).

const ROOT = path.join(__dirname, '..', '..');

/** `apiVersion kind` of every object validate reads in dist/, and in dev delivered by Flux (the one engine dist/ does not show). */
function renderedKinds(): string[] {
  const fromDist = loadManifests([path.join(ROOT, 'dist')]);
  const staging = loadEnvironment('staging').delivery;
  if (staging.engine !== 'argocd') throw new Error('staging is expected to be delivered from Git (its repository is reused here)');
  const flux = validateEnvironment({ ...ENVIRONMENTS.dev, delivery: { engine: 'flux', repository: staging.repository } });
  const fromFlux = renderEnvironment(flux).filter(f => !isKustomizationFile(f.name)).flatMap(f => parseManifests(f.content, f.name));
  return [...new Set([...fromDist, ...fromFlux].map(o => `${o.apiVersion} ${o.kind}`))].sort();
}

describe('bundled model modules (src/analysis/schema-models.ts)', () => {
  const entries = Object.keys(RENDERED_KIND_MODELS).sort();

  test.each(entries)('%s: the entry loads the module the lookup on disk finds, and it is a top-level resource', key => {
    const [apiVersion, kind] = key.split(' ');
    const file = modelFile(apiVersion, kind);
    expect(file).toBeDefined();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(RENDERED_KIND_MODELS[key]()).toBe(require(file!));
    expect(hasSchema(apiVersion, kind)).toBe(true);
  });

  test('every kind the stack renders that has a model is listed, and nothing else', () => {
    const kinds = renderedKinds();
    // Sanity of the collection itself: core kinds, Argo CD's, Flux's and one without a model (the ApplySet parent, checked against its CRD).
    expect(kinds).toEqual(expect.arrayContaining(['apps/v1 Deployment', 'argoproj.io/v1alpha1 Application', 'kustomize.toolkit.fluxcd.io/v1 Kustomization', 'platform.dockercoins.io/v1 ApplySet']));
    const withModel = kinds.filter(k => { const [apiVersion, kind] = k.split(' '); return modelFile(apiVersion, kind) !== undefined; });
    expect(entries).toEqual(withModel);
  });

  test('a kind without an entry is still validated from disk, with the same checks', () => {
    expect(Object.hasOwn(RENDERED_KIND_MODELS, 'v1 Secret')).toBe(false);
    expect(validateSchema({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 7 } as never)).toEqual(['type: must be string']);
    expect(validateSchema({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } } as never)).toEqual([]);
  });

  test('lookup keys from input never reach other modules or Object.prototype', () => {
    for (const [apiVersion, kind] of [['v1', 'constructor'], ['v1', '__proto__'], ['../..', 'Deployment'], ['apps/v1/../../x', 'Deployment'], ['v1', 'Container']]) {
      expect(hasSchema(apiVersion, kind)).toBe(false);
    }
  });
});
