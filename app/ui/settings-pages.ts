/** The settings area's pages, in the order its navigation lists them (the screenshots and the accessibility audit visit each). */
export const SETTINGS_PAGES = [
  { to: "/settings/profile", label: "Profile" },
  { to: "/settings/email", label: "Email" },
  { to: "/settings/password", label: "Password" },
  { to: "/settings/connections", label: "Connections" },
  { to: "/settings/two-factor", label: "Two-step sign-in" },
  { to: "/settings/passkeys", label: "Passkeys" },
  { to: "/settings/sessions", label: "Sessions" },
  { to: "/settings/security", label: "Security activity" },
  { to: "/settings/account", label: "Account" },
] as const;
