import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../auth/public.decorator.js';
import { ROLES_KEY } from '../auth/roles.decorator.js';
import { type Role } from '../common/roles.js';
import { allowedRoles } from '../auth/route-policy.js';
import { API_DOC, type ApiDocMeta } from '../common/api-doc.decorator.js';
import { type ApiRoute } from './openapi-builder.js';

/**
 * Central's admin API routes, read from the controllers themselves (so a new route is documented the
 * moment it exists, with the roles the guard will actually apply). Only routes under `/api`: the ACME
 * challenge and `/metrics` live outside the admin API.
 */
@Injectable()
export class RouteDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(outsideApi: (path: string) => boolean): ApiRoute[] {
    const routes: ApiRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      const instance = wrapper.instance as object | undefined;
      if (!type || !instance) continue;
      const base = pathsOf(Reflect.getMetadata(PATH_METADATA, type));
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const prefix of base) {
          for (const sub of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
            const relative = join(prefix, sub);
            if (outsideApi(relative)) continue;
            const path = `/api${relative}`;
            const verb = RequestMethod[method];
            const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, type]) === true;
            const handlerRoles = this.reflector.get<Role[] | undefined>(ROLES_KEY, handler);
            routes.push({
              method: verb,
              path,
              controller: type.name,
              handler: name,
              doc: this.reflector.get<ApiDocMeta | undefined>(API_DOC, handler),
              public: isPublic,
              roles: allowedRoles(verb, path, handlerRoles),
            });
          }
        }
      }
    }
    return routes;
  }
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function join(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return `/${joined}`;
}
