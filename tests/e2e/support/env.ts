/**
 * Where the app under test listens. The browser must use exactly this origin:
 * the server refuses any POST whose `Origin` is not `APP_URL`.
 */
export const PORT = Number(process.env.E2E_PORT ?? 3111);
export const APP_URL = `http://127.0.0.1:${PORT}`;
