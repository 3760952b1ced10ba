/**
 * Admin API for onboarding (docs/flows.md "Onboarding"): `POST /admin/onboarding?dry_run=1`
 * runs it and answers the report as JSON, or as Markdown with `Accept: text/markdown`.
 * Mounted under /admin behind the bearer token (http/app.ts). Routes only translate HTTP.
 */
import express, { type Router } from 'express';
import type { OnboardingReport } from '../onboarding/index.js';
import type { BulkPushState } from '../flows/catalog/store.js';

export interface OnboardingAdminDeps {
  run(options: { dryRun: boolean }): Promise<{ report: OnboardingReport; markdown: string }>;
  /** Whether onboarding completed, and go-live's bulk catalog push (null: none). */
  status(): Promise<{ complete: boolean; catalogPush: BulkPushState | null }>;
}

export function createOnboardingAdminRouter(deps: OnboardingAdminDeps): Router {
  const router = express.Router();
  router.get('/onboarding', async (_req, res) => {
    res.json(await deps.status());
  });
  router.post('/onboarding', async (req, res) => {
    const given = req.query.dry_run ?? '0';
    // A repeated or nested parameter (?dry_run=1&dry_run=0) is not a flag: refused below.
    const flag = typeof given === 'string' ? given : '';
    if (!['0', '1', 'true', 'false'].includes(flag)) {
      res.status(400).json({ error: 'bad_request', detail: 'dry_run must be 1 or 0' });
      return;
    }
    const dryRun = flag === '1' || flag === 'true';
    try {
      const result = await deps.run({ dryRun });
      if (req.accepts(['application/json', 'text/markdown']) === 'text/markdown') {
        res.type('text/markdown').send(result.markdown);
      } else {
        res.json({ ...result.report, markdown: result.markdown });
      }
    } catch (error) {
      if ((error as Error).name === 'OnboardingBusyError') {
        res.status(409).json({ error: 'conflict', detail: (error as Error).message });
        return;
      }
      throw error;
    }
  });
  return router;
}
