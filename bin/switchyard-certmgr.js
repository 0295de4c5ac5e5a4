#!/usr/bin/env node
// `npx switchyard-certmgr …` from the checkout (docs/certificates.md).
import { runBuilt } from './run-built.js';

await runBuilt('dist/apps/central/src/certmgr/main.js');
