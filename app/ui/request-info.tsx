import { createContext, useContext, type ReactNode } from "react";

/**
 * Per-response facts the document needs while rendering: the CSP nonce for
 * Remix's inline scripts, and the request id an error page quotes. On the
 * server they come from the load context; in the browser the nonce is hidden
 * by design (it is only needed during the server render) and the request id is
 * read back from the document.
 */
export interface RequestInfo {
  nonce: string;
  requestId: string;
}

const RequestInfoContext = createContext<RequestInfo>({ nonce: "", requestId: "" });

export function RequestInfoProvider({ value, children }: { value: RequestInfo; children: ReactNode }) {
  return <RequestInfoContext.Provider value={value}>{children}</RequestInfoContext.Provider>;
}

export const useRequestInfo = () => useContext(RequestInfoContext);

export const REQUEST_ID_META = "request-id";
