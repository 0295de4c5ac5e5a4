import { z } from 'zod';

// /api/docs: this API described as OpenAPI 3.1 (ADR 17, ADR 48), and Swagger UI's page and assets.

/** GET /api/docs/openapi.json: an OpenAPI 3.1 document (that specification describes its fields). */
export const openApiDocumentSchema = z
  .record(z.string(), z.unknown())
  .describe('An OpenAPI 3.1 document: openapi, info, paths, components');
