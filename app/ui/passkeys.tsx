import { useNavigate, useRevalidator } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { PASSKEY_NAME_MAX } from "../passkeys/schemas";
import type * as PasskeysClientModule from "../passkeys/passkeys.client";
import { useJavaScriptRuns } from "./javascript";

/** WebAuthn needs JavaScript: the pages say so in their server HTML until it runs. */
type PasskeysClient = typeof PasskeysClientModule;

let clientLoad: Promise<PasskeysClient> | undefined;

/** Loaded once per page, on first need; a failed chunk is tried again next time. */
function loadClient(): Promise<PasskeysClient> {
  clientLoad ??= import("../passkeys/passkeys.client").catch((error: unknown) => {
    clientLoad = undefined;
    throw error;
  });
  return clientLoad;
}

/** Whether this browser can use passkeys; null until the client code has loaded. */
function usePasskeySupport(): boolean | null {
  const [supported, setSupported] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    loadClient().then(
      (client) => live && setSupported(client.supportsPasskeys()),
      () => live && setSupported(false),
    );
    return () => {
      live = false;
    };
  }, []);
  return supported;
}

type CeremonyOutcome = { ok: true; redirectTo: string } | { ok: false; message: string };

/** A ceremony started by a button: busy while the browser's dialog is open; on success, on to the next page. */
function usePasskeyCeremony(ceremony: () => Promise<CeremonyOutcome>, afterRefusal?: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run() {
    setBusy(true);
    setError(null);
    const outcome = await ceremony();
    if (outcome.ok) {
      window.location.assign(outcome.redirectTo);
      return;
    }
    setBusy(false);
    setError(outcome.message);
    afterRefusal?.();
  }
  return { busy, error, run };
}

/** A passkey button, and what stops it: no JavaScript, a browser without passkeys, the last refusal. */
function PasskeyButton(props: {
  label: string;
  withoutJavaScript: string;
  supported: boolean | null;
  busy: boolean;
  error: string | null;
  run: () => Promise<void>;
}) {
  const { label, withoutJavaScript, supported, busy, error, run } = props;
  const runs = useJavaScriptRuns();
  return (
    <div className="passkey-sign-in">
      <button
        type="button"
        className="button"
        disabled={!runs || !supported || busy}
        onClick={() => void run()}
      >
        {busy ? "Waiting for your passkey…" : label}
      </button>
      {!runs ? <p className="field-hint">{withoutJavaScript}</p> : null}
      {runs && supported === false ? <p className="field-hint">This browser cannot use passkeys.</p> : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The autofill offer's options die with their challenge (5 minutes): renewed before then. */
const AUTOFILL_RENEW_MS = 4 * 60 * 1000;

/**
 * "Sign in with a passkey" on /login, and the browser's autofill offer on the email field
 * (`autocomplete="username webauthn"`). Without JavaScript: a disabled button and why.
 */
export function PasskeySignIn({ redirectTo }: { redirectTo: string }) {
  const [supported, setSupported] = useState<boolean | null>(null);
  const autofill = useRef<() => void>(() => {});
  const target = redirectTo || "/todos";

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    loadClient().then(
      async (client) => {
        if (!live) return;
        setSupported(client.supportsPasskeys());
        if (!client.supportsPasskeys() || !(await client.supportsAutofill())) return;
        // Never restarted on its own refusal (no passkey here): only by the timer or after the button.
        const start = () => {
          clearTimeout(timer);
          timer = setTimeout(start, AUTOFILL_RENEW_MS);
          void client.signIn({ autofill: true, redirectTo: target }).then((outcome) => {
            if (live && outcome.ok) window.location.assign(outcome.redirectTo);
          });
        };
        autofill.current = start;
        if (live) start();
      },
      () => live && setSupported(false),
    );
    return () => {
      live = false;
      clearTimeout(timer);
      void loadClient().then(
        (client) => client.cancel(),
        () => {},
      );
    };
  }, [target]);

  // After a refusal the autofill offer is made again (the button's ceremony had cancelled it).
  const ceremony = usePasskeyCeremony(
    async () => (await loadClient()).signIn({ autofill: false, redirectTo: target }),
    () => autofill.current(),
  );
  return (
    <PasskeyButton
      label="Sign in with a passkey"
      withoutJavaScript="Signing in with a passkey needs JavaScript."
      supported={supported}
      {...ceremony}
    />
  );
}

/** Adding a passkey on /settings/passkeys: a name, then the browser's own dialog. */
export function AddPasskey({
  defaultName,
  reauthenticateTo,
}: {
  defaultName: string;
  reauthenticateTo: string;
}) {
  const runs = useJavaScriptRuns();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const inputId = useId();
  const supported = usePasskeySupport();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  if (!runs) return <p className="muted">Adding a passkey needs JavaScript.</p>;
  if (supported === false) return <p className="muted">This browser cannot make passkeys.</p>;

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!name) {
      setMessage({ kind: "error", text: "Name the passkey" });
      return;
    }
    setBusy(true);
    setMessage(null);
    const client = await loadClient();
    const outcome = await client.register(name);
    setBusy(false);
    if (outcome.ok) {
      setMessage({
        kind: "success",
        text: `The passkey “${outcome.name}” was added. You can now sign in with it.`,
      });
      revalidator.revalidate();
    } else if (outcome.code === "REAUTHENTICATION_REQUIRED") {
      navigate(reauthenticateTo);
    } else {
      setMessage({ kind: "error", text: outcome.message });
    }
  }

  return (
    <form className="add-passkey" onSubmit={(event) => void add(event)}>
      {message ? (
        <p className={`flash ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={inputId}>Name of the new passkey</label>
        <input
          id={inputId}
          name="name"
          type="text"
          defaultValue={defaultName}
          maxLength={PASSKEY_NAME_MAX}
          required
        />
      </div>
      <button type="submit" className="button primary" disabled={busy || supported !== true}>
        {busy ? "Waiting for your passkey…" : "Add a passkey"}
      </button>
    </form>
  );
}

/** "Use a passkey" on /reauthenticate: one of the account's passkeys opens the window, then on to `redirectTo`. */
export function PasskeyReauthenticate({ redirectTo }: { redirectTo: string }) {
  const supported = usePasskeySupport();
  const ceremony = usePasskeyCeremony(async () => {
    const outcome = await (await loadClient()).reauthenticate();
    return outcome.ok ? { ok: true, redirectTo } : outcome;
  });
  return (
    <PasskeyButton
      label="Use a passkey"
      withoutJavaScript="Confirming with a passkey needs JavaScript."
      supported={supported}
      {...ceremony}
    />
  );
}
