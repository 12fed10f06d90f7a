/**
 * Limits the database enforces that the browser must know too (a field's
 * maxlength, the forms' schemas). A module of its own, without drizzle, so that
 * importing it into a page does not ship the table builders to the browser.
 */
export const TODO_TITLE_MAX = 500;
