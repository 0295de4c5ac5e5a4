import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { poolOf } from './database-pool.js';

/** Connection URL of the database, for the LISTEN connection of ClusterBus. */
export const DATABASE_URL = Symbol('DATABASE_URL');

/** The `pg` pool behind the DataSource (undefined on another driver), for admission control to watch. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');

/** Hands the already opened DataSource to every domain's repository. */
@Global()
@Module({})
export class DatabaseModule {
  static forDataSource(dataSource: DataSource, url: string): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: DATABASE_URL, useValue: url },
        { provide: DATABASE_POOL, useFactory: () => poolOf(dataSource) },
      ],
      exports: [DataSource, DATABASE_URL, DATABASE_POOL],
    };
  }
}
