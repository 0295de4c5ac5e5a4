#!/usr/bin/env node
// `npx switchyard-central` from the checkout: central as `npm start` runs it (its Node flags, ADR 20).
import { runBuilt } from './run-built.js';

await runBuilt('dist/apps/central/src/main.js', ['--max-semi-space-size=64']);
