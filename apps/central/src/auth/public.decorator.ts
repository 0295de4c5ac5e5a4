import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'switchyard:public';

/** Marks a route that needs no session (health, readiness, login). Everything else requires one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
