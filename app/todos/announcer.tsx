import { useCallback, useState } from "react";

interface Said {
  message: string;
  /** Counts the messages, so that the same words said twice are read twice. */
  count: number;
}

/** What the page says to screen reader users after each change, and how it says the next thing. */
export function useAnnouncer() {
  const [said, setSaid] = useState<Said>({ message: "", count: 0 });
  const announce = useCallback(
    (message: string) => setSaid((previous) => ({ message, count: previous.count + 1 })),
    [],
  );
  return { said, announce };
}

/**
 * The page's one polite live region. It is in the server's HTML from the start
 * (screen readers only watch regions that already exist) and each message is
 * a new node in it, which is what they announce.
 */
export function Announcements({ said }: { said: Said }) {
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true">
      {said.message ? <p key={said.count}>{said.message}</p> : null}
    </div>
  );
}
