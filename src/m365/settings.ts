import { z } from 'zod';
import type { ArchiveLimits } from '../domain/archive-plan';

/**
 * The gateway's own settings (all optional, with production defaults). src/config.ts parses
 * them with every other setting at start-up (a bad one stops the process with a ConfigError
 * naming it) and hands them on as `config.m365.settings`; tests override them through
 * `microsoft365Part({ ... })`.
 */
/** A whole number setting (it arrives as text) of at least `min`, `fallback` when unset. */
const wholeNumber = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

export const m365SettingsSchema = z.object({
  M365_RESOURCE_UNITS_PER_MINUTE: wholeNumber(0, 1250),
  M365_DRIFT_POLICY: z.enum(['repair', 'report']).default('repair'),
  M365_DRIFT_INTERVAL_MS: wholeNumber(0, 15 * 60_000),
  M365_ACCEPTANCE_POLL_MS: wholeNumber(0, 60_000),
  M365_EXPIRY_SWEEP_MS: wholeNumber(0, 60_000),
  M365_SUBSCRIPTION_CHECK_MS: wholeNumber(0, 60 * 60_000),
  M365_MAX_UPLOAD_BYTES: wholeNumber(1, 10 * 1024 ** 3),
  /**
   * Upload session fragment: a multiple of 320 KiB under 60 MiB. 5 MiB (16 × 320 KiB): one
   * fragment is held in memory per upload in flight, so this is the per-upload memory cost.
   */
  M365_UPLOAD_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(327_680)
    .max(60 * 1024 * 1024 - 1)
    .default(16 * 327_680),
  /**
   * Zip archives (src/domain/archive-plan.ts ArchiveLimits says how each is applied). The total
   * cap bounds the spool disk one archive can take while it is stored (2 GiB: a large box of
   * scans); the entry cap bounds the SharePoint uploads and documents one request creates; the
   * ratio, checked on every entry however small, bounds a bomb to ratio × its own size (a
   * 66 KiB zip writes at most 6.6 MiB) while Office files, PDFs and text (1-20×) pass.
   */
  M365_ZIP_MAX_UNCOMPRESSED_BYTES: wholeNumber(1, 2 * 1024 ** 3),
  M365_ZIP_MAX_ENTRIES: wholeNumber(1, 2000),
  M365_ZIP_MAX_RATIO: z.coerce.number().min(1).default(100),
  /** Where uploads without a declared size and zip archives are spooled (constant memory, bounded disk). */
  M365_SPOOL_DIR: z.string().optional(),
});

export interface M365Settings {
  unitsPerMinute: number;
  driftPolicy: 'repair' | 'report';
  /** 0 disables the timer (tests step the jobs themselves). */
  driftIntervalMs: number;
  acceptancePollMs: number;
  expirySweepMs: number;
  subscriptionCheckMs: number;
  maxUploadBytes: number;
  uploadChunkBytes: number;
  zip: ArchiveLimits;
  spoolDir?: string;
}

/** The settings from the variables `m365SettingsSchema` parsed. */
export function m365SettingsOf(e: z.infer<typeof m365SettingsSchema>): M365Settings {
  return {
    unitsPerMinute: e.M365_RESOURCE_UNITS_PER_MINUTE,
    driftPolicy: e.M365_DRIFT_POLICY,
    driftIntervalMs: e.M365_DRIFT_INTERVAL_MS,
    acceptancePollMs: e.M365_ACCEPTANCE_POLL_MS,
    expirySweepMs: e.M365_EXPIRY_SWEEP_MS,
    subscriptionCheckMs: e.M365_SUBSCRIPTION_CHECK_MS,
    maxUploadBytes: e.M365_MAX_UPLOAD_BYTES,
    // Round down to a multiple of 320 KiB, as upload sessions require.
    uploadChunkBytes: Math.floor(e.M365_UPLOAD_CHUNK_BYTES / 327_680) * 327_680,
    zip: { maxUncompressedBytes: e.M365_ZIP_MAX_UNCOMPRESSED_BYTES, maxEntries: e.M365_ZIP_MAX_ENTRIES, maxRatio: e.M365_ZIP_MAX_RATIO },
    spoolDir: e.M365_SPOOL_DIR,
  };
}

/** Parses the gateway's settings alone (a ZodError on a bad value); start-up goes through loadConfig, which names the setting. */
export function loadM365Settings(env: NodeJS.ProcessEnv = process.env): M365Settings {
  return m365SettingsOf(m365SettingsSchema.parse(env));
}
