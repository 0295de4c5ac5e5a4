import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiDocsController } from './api-docs.controller.js';
import { RouteDiscovery } from './route-discovery.js';

/** OpenAPI at `/api/docs` (ADR 17), built from the controllers and the zod schemas they validate with. */
@Module({
  imports: [DiscoveryModule],
  controllers: [ApiDocsController],
  providers: [RouteDiscovery],
})
export class ApiDocsModule {}
