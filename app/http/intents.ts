import { z } from "zod";

type IntentOption = z.core.$ZodTypeDiscriminable;

/**
 * The forms of a page that offers more than one change: a zod union on the
 * submit button's `intent`, one `switch` case each in the action.
 */
export const intentSchema = <const Options extends readonly [IntentOption, ...IntentOption[]]>(
  options: Options,
) => z.discriminatedUnion("intent", options, { error: "Unknown action" });

/**
 * As `intentSchema`, for a page whose main form a plain client may post with
 * just the form's own fields (a plain HTML client): no `intent` means `fallback`.
 */
export const intentSchemaDefaulting = <const Options extends readonly [IntentOption, ...IntentOption[]]>(
  fallback: string,
  options: Options,
) =>
  z.preprocess(
    (value) =>
      typeof value === "object" && value !== null && !("intent" in value)
        ? { ...value, intent: fallback }
        : value,
    intentSchema(options),
  );
