import { environmentWithInstances, main } from '../../src/cli/bench';
import { renderCharts } from '../../src/render';

describe('npm run bench', () => {
  test('builds K DockerCoins instances, each in its own namespace with its own host, and renders them', () => {
    const env = environmentWithInstances(10);
    expect(env.dockercoins).toHaveLength(10);
    expect(new Set(env.dockercoins.map(d => d.namespace)).size).toBe(10);
    expect(new Set(env.dockercoins.map(d => d.host)).size).toBe(10);
    const ids = renderCharts(env).map(c => c.id);
    expect(ids.filter(id => id.startsWith('dockercoins-coins-'))).toHaveLength(10);
  });

  test('--help prints the usage; bad arguments exit 2', () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--help'])).toBe(0);
      expect(String(out.mock.calls[0][0])).toContain('usage: npm run bench');
      expect(main(['--runs', 'zero'])).toBe(2);
      expect(String(err.mock.calls[0][0])).toContain('--runs must be a whole number >= 1, got "zero"');
      expect(main(['--frobnicate'])).toBe(2);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
