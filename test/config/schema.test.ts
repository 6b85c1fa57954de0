import { ENVIRONMENTS, environmentSchema, loadEnvironment } from '../../src/config';
import { schemaAt } from '../../src/config/schema';
import { activeComponents, configAt } from '../../src/config/wiring';
import { COMPONENTS } from '../../src/components';

/** The registry and the environment schema cannot drift apart (issue 11). */
describe('component registry and environment schema', () => {
  test('component ids are unique', () => {
    const ids = COMPONENTS.map(c => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(COMPONENTS.map(c => [c.id, c] as const))('%s: its configPath is a section of the environment schema', (_id, component) => {
    expect(schemaAt(environmentSchema, component.configPath)).toBeDefined();
  });

  test('every environment deploys each component whose section it sets, and only those', () => {
    for (const name of Object.keys(ENVIRONMENTS)) {
      const env = loadEnvironment(name);
      const active = activeComponents(env).map(a => a.component.id);
      const configured = COMPONENTS.filter(c => configAt(env, c.configPath) !== undefined && (!c.enabled || c.enabled(configAt(env, c.configPath)))).map(c => c.id);
      expect([name, active]).toEqual([name, configured]);
    }
  });

  test('a section of a component outside the core schema is strict like the rest', () => {
    expect(() => loadEnvironment('prod', { exporters: { postgres: { replicas: 2 } } }))
      .toThrow('exporters.postgres.replicas: unknown field; the fields here are image, resources');
    expect(() => loadEnvironment('prod', { exporters: { mysql: {} } }))
      .toThrow('exporters.mysql: unknown field; the fields here are elasticsearch, postgres, redis');
  });
});
