import type { Config } from '../config/schema.ts';
import type { DirectorySettings } from './index.ts';

export function directorySettings(config: Config): DirectorySettings {
  const d = config.directory;
  return {
    retentionDays: d.retention_days,
    passwordCacheMs: d.password_cache_seconds * 1000,
    throttle: {
      freeFailures: d.throttle_free_failures,
      maxDelayMs: d.throttle_max_delay_seconds * 1000,
      windowMs: d.throttle_window_seconds * 1000,
    },
  };
}
