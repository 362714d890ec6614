import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Makes sure the demo merchants exist and issues an API key for each, which tests use to
 * create customers and invoices of their own (so that no two tests share an address or an
 * invoice). Runs the same `portico` binary on the same data folder as the server.
 */
export default function globalSetup() {
  const dataDir = process.env.PORTICO_E2E_DATA_DIR!;
  const env = {
    ...process.env,
    PORTICO_DATA_DIR: dataDir,
    DATABASE_URL: `sqlite://${path.join(dataDir, 'portico.db')}?mode=rwc`,
    PUBLIC_URL: process.env.PORTICO_E2E_BASE_URL!,
    RUST_LOG: 'warn',
  };
  const binary = process.env.PORTICO_E2E_BINARY!;
  execFileSync(binary, ['demo'], { env });
  const created = JSON.parse(
    execFileSync(binary, ['merchant', 'api-key', 'create', '--merchant', 'northwind'], { env }).toString(),
  );
  process.env.PORTICO_E2E_API_KEY = created.api_key;
  const maple = JSON.parse(
    execFileSync(binary, ['merchant', 'api-key', 'create', '--merchant', 'maple-wholesale'], { env }).toString(),
  );
  process.env.PORTICO_E2E_MAPLE_API_KEY = maple.api_key;
}
