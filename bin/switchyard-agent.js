#!/usr/bin/env node
// `npx switchyard-agent --home DIR` from the checkout (branch machines use the package: docs/agent.md).
import { runBuilt } from './run-built.js';

await runBuilt('dist/apps/agent/src/main.js');
