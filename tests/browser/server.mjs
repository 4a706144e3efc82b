// Starts a real `hotline serve` for the browser tests: its own folder (SQLite file, secrets), a
// free loopback port, its output kept so a test can read what it printed (the one-time
// sign-in link) and show it when something fails.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
export const binary =
  process.env.HOTLINE_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'debug/hotline');

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(extraEnv = {}) {
  const folder = mkdtempSync(path.join(tmpdir(), 'hotline-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    HOTLINE_LISTEN: `127.0.0.1:${port}`,
    HOTLINE_PUBLIC_URL: url,
    HOTLINE_DATABASE_URL: `sqlite://${path.join(folder, 'hotline.db')}`,
    HOTLINE_SECRETS_FILE: path.join(folder, 'hotline.secrets'),
    RUST_LOG: 'info',
    ...extraEnv,
  };
  const child = spawn(binary, ['serve'], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  for (let tries = 0; ; tries += 1) {
    try {
      const ready = await fetch(`${url}/readyz`);
      if (ready.ok) break;
    } catch {
      // Not listening yet.
    }
    if (tries > 300 || child.exitCode !== null) {
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    folder,
    env,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
