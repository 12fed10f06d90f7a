/**
 * Every mail the app sends, as components: an HTML part and a plain-text part
 * written to be read as text. Links are absolute URLs the caller builds from
 * `APP_URL`. The templates live in ./templates, by what they are for.
 */

export type { RenderedMail } from "./templates/layout.server";
export {
  confirmEmailChangeMail,
  resetPasswordMail,
  signupAttemptMail,
  verifyEmailMail,
} from "./templates/links.server";
export {
  emailChangeNoticeMail,
  goodbyeMail,
  passwordChangedMail,
  signInMethodNoticeMail,
  twoFactorNoticeMail,
} from "./templates/notices.server";
