/**
 * The browser tests' mailbox, run by Playwright beside the app: a real SMTP
 * server on loopback, and GET /messages?to=<address> answering what arrived.
 */
import { createServer } from "node:http";
import { startSmtpCatcher } from "../../../harness/smtp";
import { MAILBOX_PORT, SMTP_PORT } from "./env";

const smtp = await startSmtpCatcher({ port: SMTP_PORT });

createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname === "/healthz") {
    response.end("ok");
    return;
  }
  if (url.pathname !== "/messages") {
    response.writeHead(404).end();
    return;
  }
  const to = url.searchParams.get("to") ?? "";
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(smtp.to(to)));
}).listen(MAILBOX_PORT, "127.0.0.1");
