#!/usr/bin/env node
// `npx switchyard-migrate …` from the checkout: applies central's database migrations.
import { runBuilt } from './run-built.js';

await runBuilt('dist/apps/central/src/migrate/main.js');
