import { SetMetadata } from '@nestjs/common';
import { type z } from 'zod';

export const API_DOC = 'switchyard:api-doc';

/** What `/api/docs` says about a route beyond its method and path (the schemas are the ones it parses). */
export interface ApiDocMeta {
  summary?: string;
  /** The JSON body the handler validates. */
  body?: z.ZodType;
  /** The query string the handler validates. */
  query?: z.ZodType;
  /** A multipart upload: the name of the file field (other fields as in `body`). */
  upload?: string;
}

export const ApiDoc = (meta: ApiDocMeta) => SetMetadata(API_DOC, meta);
