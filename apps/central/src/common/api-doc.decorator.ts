import { SetMetadata } from '@nestjs/common';
import { type z } from 'zod';
import { type Served } from '../../../../libs/api/wire.js';

export const API_DOC = 'switchyard:api-doc';

/** What `/api/docs` says about a route beyond its method and path (the schemas are the ones it parses). */
export interface ApiDocMeta<R extends z.ZodType = z.ZodType> {
  summary?: string;
  /** The JSON body the handler validates. */
  body?: z.ZodType;
  /** The query string the handler validates. */
  query?: z.ZodType;
  /** A multipart upload: the name of the file field (other fields as in `body`). */
  upload?: string;
  /** The JSON answer (libs/api): the handler's return type is checked against it by tsc. */
  response?: R;
  /** The answer is not JSON but a file of this media type (`application/zip`, `text/csv`, …). */
  produces?: string;
  /** The answer has no body (204). */
  noContent?: true;
}

/** A handler that answers `R`, directly or through a promise. */
type Answering<R extends z.ZodType> = (...args: never[]) => Served<R> | Promise<Served<R>>;

/**
 * Documents a route. With a `response` schema, the decorator only fits a handler whose return type is that
 * schema's (tsc refuses the decorator otherwise), so the document and the code cannot say different things.
 */
export function ApiDoc<R extends z.ZodType = z.ZodType>(meta: ApiDocMeta<R>) {
  return <F extends Answering<R>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    SetMetadata(API_DOC, meta)(target, key, descriptor);
  };
}
