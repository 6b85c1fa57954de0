import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { hasSchema, modelFile, validateSchema } from '../../src/analysis/schema';
import { RENDERED_KIND_MODELS } from '../../src/analysis/schema-models';
import { ENVIRONMENTS, validateEnvironment } from '../../src/config';
import { renderEnvironment } from '../../src/render';

// src/analysis/schema-models.ts lists the model modules of the kinds the stack renders as static
// requires, so the validate bundle carries them (issue "Fast feedback": validate <= 0.6 s). The
// requirement here: the list changes no result. Each entry is exactly the module the lookup on disk
// finds for its kind, and every kind the stack renders that has a model is listed (a kind added to
// the stack without an entry would quietly fall back to loading from disk: slower, same result).

const ROOT = path.join(__dirname, '..', '..');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** `apiVersion kind` of every object in dist/ and in dev delivered by Flux (the one engine dist/ does not show). */
function renderedKinds(): string[] {
  const objects = (yaml: string) => parseAllDocuments(yaml).map(d => d.toJS() as { apiVersion: string; kind: string });
  const fromDist = yamlFiles(path.join(ROOT, 'dist')).flatMap(f => objects(fs.readFileSync(f, 'utf8')));
  const flux = validateEnvironment({ ...ENVIRONMENTS.dev, delivery: { engine: 'flux', repository: { url: 'https://git.example.com/platform/dockercoins.git' } } });
  const fromFlux = renderEnvironment(flux).flatMap(f => objects(f.content));
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
    // Sanity of the collection itself: core kinds, Argo CD's, Flux's and a kind without a model.
    expect(kinds).toEqual(expect.arrayContaining(['apps/v1 Deployment', 'argoproj.io/v1alpha1 Application', 'kustomize.toolkit.fluxcd.io/v1 Kustomization', 'kustomize.config.k8s.io/v1beta1 Kustomization']));
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
