import { Controller, Get, Res } from '@nestjs/common';
import { type Response } from 'express';
import { Public } from '../auth/public.decorator.js';
import { MetricsRegistry } from './metrics.registry.js';

/**
 * `GET /metrics` in the Prometheus text format, without a session: scrapers do not log in, and the
 * admin port listens on 127.0.0.1 unless the operator chose otherwise. Nothing secret is exported.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Public()
  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.scrape());
  }
}
