// The bench's own unit tests (swarm pieces, figures), outside `npm test` like the benches themselves;
// `npm run test:bench`, and CI runs them.
import root from '../jest.config.js';

const unit = root.projects.find((p) => p.displayName === 'unit');

export default {
  ...unit,
  rootDir: '..',
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/**/*.spec.ts'],
  testTimeout: 30_000,
};
