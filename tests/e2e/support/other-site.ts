import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtherSite {
  /** The address of the page, e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

/**
 * A second web site on this machine, serving one HTML page: what an attacker
 * would host. `host` is the name the browser uses for it: `127.0.0.1` (same
 * site as the app, another origin: the app's cookie is still sent) or
 * `localhost` (another site altogether).
 */
export async function serveOtherSite(host: "127.0.0.1" | "localhost", html: string): Promise<OtherSite> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    response.end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
