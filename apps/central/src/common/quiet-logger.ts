import { ConsoleLogger } from '@nestjs/common';

/** Nest's start-up chatter (every module and route) hides what an operator needs to read. */
const NOISY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

export class QuietLogger extends ConsoleLogger {
  override log(message: unknown, context?: string): void {
    if (context && NOISY_CONTEXTS.has(context)) return;
    super.log(message, context);
  }
}
