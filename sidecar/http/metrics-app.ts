/**
 * The internal metrics listener (METRICS_PORT, on METRICS_HOST, loopback unless set): GET /metrics
 * without a token, nothing else. For a Prometheus that scrapes on a private network while the main
 * port is public (docs/operations.md, "Metrics").
 */
import express, { type Express } from 'express';
import type { Metrics } from '../observability/metrics.js';

export function createMetricsApp(metrics: Pick<Metrics, 'text' | 'contentType'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res, next) => {
    try {
      res.set('Content-Type', metrics.contentType).send(await metrics.text());
    } catch (error) {
      next(error);
    }
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}
