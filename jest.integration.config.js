/**
 * `npm run test:integration`: the backup and restore-drill scripts
 * (constructs/backups/scripts/) run against a real PostgreSQL the tests start
 * on loopback (Debian's postgresql and postgresql-client; `.ci/run` installs
 * them). Not part of `npm test`, which needs Node.js alone.
 */
const base = require('./jest.config.js');
module.exports = { ...base, roots: ['<rootDir>/test-integration'], testTimeout: 120000 };
