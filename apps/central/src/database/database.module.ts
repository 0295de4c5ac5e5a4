import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Connection URL of the database, for the LISTEN connection of ClusterBus. */
export const DATABASE_URL = Symbol('DATABASE_URL');

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
      ],
      exports: [DataSource, DATABASE_URL],
    };
  }
}
