/*
 * Times and dates as the settings pages show them: in UTC, said so, the same
 * on the server and in every browser (so hydration never disagrees).
 */

export const formatTime = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) +
  " UTC";

export const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });
