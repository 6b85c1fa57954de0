/**
 * Layering of the model, checked by dependency-cruiser (test/architecture/layering.test.ts
 * runs it on every `npm test`; by hand: `npx depcruise src constructs bin`).
 *
 *   constructs/lib        shared rules and constants: imports nothing of the model above it
 *   constructs/<name>/    one component each (construct, schema, component.ts build step)
 *   src/components.ts     the registry;  src/config/  typed config, validation, wiring
 *   src/stack.ts          builds the charts;  src/render.ts  renders them
 *   src/analysis/         reads rendered objects only (may use constructs/lib constants)
 *   src/pulumi/, src/cli/ engines and commands on top
 *
 * Paths are relative to the folder depcruise runs in (the repository root), so the
 * same rules also run on a copy of the tree (the test breaks one on purpose).
 * Type-only imports count (tsPreCompilationDeps): a type cycle or a type import
 * across a boundary is still a dependency of the design.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles in src/, constructs/, bin/ (type-only imports included): a module and what it imports form a layer order.',
      from: { path: '^(src|constructs|bin)/' },
      to: { circular: true },
    },
    {
      name: 'constructs-not-src',
      severity: 'error',
      comment: 'constructs/ is the reusable library: it never imports src/ (the environment model, config, engines).',
      from: { path: '^constructs/' },
      to: { path: '^src/' },
    },
    {
      name: 'analysis-not-model',
      severity: 'error',
      comment:
        'src/analysis/ is about rendered objects: it never imports the stack builder, the registry, the config, '
        + 'the build steps of components (constructs/*/component.ts), nor the engines that render or deploy.',
      from: { path: '^src/analysis/' },
      to: { path: ['^src/(stack|components|render)\\.ts$', '^src/(config|stacks|cli|pulumi)/', '^constructs/[^/]+/component\\.ts$'] },
    },
    {
      name: 'analysis-runtime-only-constructs-lib',
      severity: 'error',
      comment:
        'At run time src/analysis/ uses constructs/lib/ only (constants such as annotation names, the CIDR parser); '
        + 'a type of a construct module (e.g. PodSecurityLevel of constructs/namespace) may be imported with `import type`.',
      from: { path: '^src/analysis/' },
      to: { path: '^constructs/', pathNot: '^constructs/lib/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pulumi-through-model-entry-points',
      severity: 'error',
      comment: 'The Pulumi program reaches the model only through src/config, src/render.ts and src/stack.ts.',
      from: { path: '^src/pulumi/' },
      to: { path: '^(src|constructs)/', pathNot: '^src/(pulumi/|config/|render\\.ts$|stack\\.ts$)' },
    },
    {
      name: 'delivery-below-render',
      severity: 'error',
      comment: 'src/delivery/ turns the rendered charts into what each delivery engine needs; render.ts calls it, so it never imports render.ts, the CLI or the Pulumi program.',
      from: { path: '^src/delivery/' },
      to: { path: ['^src/render\\.ts$', '^src/(cli|pulumi)/'] },
    },
    {
      name: 'pulumi-is-an-entry-point',
      severity: 'error',
      comment: 'Only bin/pulumi.js loads the Pulumi program; nothing in src/ or constructs/ depends on it.',
      from: { path: '^(src|constructs)/', pathNot: '^src/pulumi/' },
      to: { path: '^src/pulumi/' },
    },
  ],
  options: {
    // Only the model's own modules: faster, and node_modules never take part in a rule.
    includeOnly: '^(src|constructs|bin)/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.json'] },
    moduleSystems: ['cjs', 'es6'],
  },
};
