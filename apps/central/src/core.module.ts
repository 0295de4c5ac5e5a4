import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CENTRAL_CONFIG, type CentralConfig } from './config/central-config.js';
import { SecretBox } from './crypto/secret-box.js';

/** Process-wide singletons made before Nest starts: the validated config and the master-key box. */
@Global()
@Module({})
export class CoreModule {
  static with(config: CentralConfig, secrets: SecretBox): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CENTRAL_CONFIG, useValue: config },
        { provide: SecretBox, useValue: secrets },
      ],
      exports: [CENTRAL_CONFIG, SecretBox],
    };
  }
}
