import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { REQUEST_ID_META, RequestInfoProvider } from "./ui/request-info";

// Browsers hide nonces from scripts, so the client renders with an empty one; the
// request id is read back from the page the server rendered.
const requestId = document.querySelector(`meta[name="${REQUEST_ID_META}"]`)?.getAttribute("content") ?? "";

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RequestInfoProvider value={{ nonce: "", requestId }}>
        <RemixBrowser />
      </RequestInfoProvider>
    </StrictMode>,
  );
});
