// Where the API is, fixed at build time per environment (.env.production / .env.staging /
// .env.development, see vite.config.ts). Empty means the page's own origin.
const configured = (import.meta.env.VITE_API_URL as string | undefined) ?? '';

export const API_URL = configured.replace(/\/$/, '');

/** The WebSocket URL of the BFF (`/ws`), on the API's host. */
export function wsUrl(): string {
  const base = API_URL || window.location.origin;
  return base.replace(/^http/, 'ws') + '/ws';
}
