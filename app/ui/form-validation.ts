import { useForm, type DefaultValue, type FormMetadata, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { useEffect, useRef } from "react";
import type { z } from "zod";
import { CONFORM_INTENT } from "./error-summary";

/** A form schema as the browser validates it: an object of named fields. */
type FormSchema = z.ZodType<unknown, Record<string, unknown>>;

/**
 * conform's form for a zod schema, validated in the browser with the same
 * schema the server parses: on submit, and with `shouldValidate: "onBlur"`
 * also each field the user typed in once they leave it.
 */
export function useValidatedForm<Schema extends FormSchema>(
  id: string,
  schema: Schema,
  lastResult: SubmissionResult<string[]> | undefined,
  options: {
    defaultValue?: DefaultValue<z.input<Schema>>;
    shouldValidate?: "onSubmit" | "onBlur";
    shouldRevalidate?: "onInput";
  } = {},
) {
  const [form, fields] = useForm({
    id,
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    defaultValue: options.defaultValue,
    // Leaving a field is handled below: conform's own blur check would run mid-click.
    shouldValidate: "onSubmit",
    shouldRevalidate: options.shouldRevalidate ?? "onSubmit",
  });
  useValidationOnLeave(form, options.shouldValidate === "onBlur");
  return [form, fields] as const;
}

type FieldElement = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

const isFieldElement = (target: EventTarget | null): target is FieldElement =>
  target instanceof HTMLInputElement ||
  target instanceof HTMLTextAreaElement ||
  target instanceof HTMLSelectElement;

/**
 * Checks a field the user typed in once they leave it. A field left by
 * pressing on a button is checked only after that press is over: a message
 * appearing under the pointer would move the button away and lose the click.
 */
function useValidationOnLeave(form: Pick<FormMetadata, "id" | "validate">, enabled: boolean) {
  const formRef = useRef(form);
  useEffect(() => {
    formRef.current = form;
  });
  const formId = form.id;

  useEffect(() => {
    if (!enabled) return;
    // Fields typed in since they were last checked, and those left and waiting for their check.
    const edited = new Set<string>();
    const waiting = new Set<string>();
    let pointerDown = false;
    const fieldOf = (target: EventTarget | null) =>
      isFieldElement(target) && target.name && target.form?.id === formId ? target : null;
    // A tap's mouse events and its click come right after the blur: let them pass first.
    const checkSoon = () =>
      setTimeout(() => {
        // After a submission, or if it navigated away, there is nothing left to check.
        if (!document.getElementById(formId)) return;
        for (const name of waiting) formRef.current.validate({ name });
        waiting.clear();
      }, 0);

    const onInput = (event: Event) => {
      const field = fieldOf(event.target);
      if (field) edited.add(field.name);
    };
    const onLeave = (event: Event) => {
      const field = fieldOf(event.target);
      if (!field || !edited.delete(field.name)) return;
      waiting.add(field.name);
      if (!pointerDown) checkSoon();
    };
    // A submission checks every field; a check afterwards would drop the server's messages.
    const onSubmit = (event: SubmitEvent) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || form.id !== formId) return;
      if (event.submitter?.getAttribute("name") === CONFORM_INTENT) return;
      edited.clear();
      waiting.clear();
    };
    const onPointerDown = () => {
      pointerDown = true;
    };
    const onPointerUp = () => {
      pointerDown = false;
      if (waiting.size > 0) checkSoon();
    };

    document.addEventListener("input", onInput);
    document.addEventListener("focusout", onLeave);
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("pointerdown", onPointerDown, true);
    document.addEventListener("pointerup", onPointerUp, true);
    document.addEventListener("pointercancel", onPointerUp, true);
    return () => {
      document.removeEventListener("input", onInput);
      document.removeEventListener("focusout", onLeave);
      document.removeEventListener("submit", onSubmit, true);
      document.removeEventListener("pointerdown", onPointerDown, true);
      document.removeEventListener("pointerup", onPointerUp, true);
      document.removeEventListener("pointercancel", onPointerUp, true);
    };
  }, [formId, enabled]);
}
