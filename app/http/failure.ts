import type { SubmissionResult } from "@conform-to/react";

/**
 * What a form's action answers when it refuses a submission: conform's reply,
 * for the page to show the messages and what was typed (apart from passwords).
 * Pages name it in `useActionData<…>()`: inferred through the helper, Remix's
 * types widen the action's data to `any`.
 */
export interface FormFailure {
  result: SubmissionResult<string[]>;
}
