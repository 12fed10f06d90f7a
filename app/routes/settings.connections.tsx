import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { originOf } from "../audit/audit.server";
import { requireRecentAuth } from "../http/guards.server";
import { CONNECTIONS_PATH, providerErrorView, startLink } from "../http/oauth-flow.server";
import { findProvider, providerDisplayName, providerViews } from "../auth/providers.server";
import { redirectWithFlash } from "../http/flash.server";
import { intentSchema } from "../http/intents";
import { readFormData } from "../http/form-data.server";
import { SettingsSection, ItemList, ItemRow, Notice } from "../ui/cards";
import { LocalTime } from "../ui/local-time";

export const meta: MetaFunction = () => [{ title: "Connections · Settings · Todo" }];

const ProviderField = z.string({ error: "Choose a provider" }).min(1).max(50);

const ConnectionIntentSchema = intentSchema([
  z.object({ intent: z.literal("link"), provider: ProviderField }),
  z.object({ intent: z.literal("unlink"), provider: ProviderField }),
]);

/**
 * The providers linked to the account, the others that could be, and what a
 * link that just came back from its provider did (`?linked=`, or `?error=`
 * with `?provider=`). Linking and unlinking are all this page does: the window is asked for on arrival.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const { config, connections } = context.services;
  const methods = await connections.forOwner(user.id).signInMethods();
  const connected = new Set(methods.connections.map((connection) => connection.providerId));
  const search = new URL(request.url).searchParams;
  const linked = search.get("linked");
  const error = search.get("error");
  return {
    passkeysAvailable: context.services.passkeys.relyingParty.available,
    hasPassword: methods.hasPassword,
    passkeys: methods.passkeys,
    connections: methods.connections.map((connection) => ({
      ...connection,
      name: providerDisplayName(config, connection.providerId),
    })),
    available: providerViews(config).filter((provider) => !connected.has(provider.id)),
    linkedNotice:
      linked !== null && connected.has(linked)
        ? `${providerDisplayName(config, linked)} is connected: you can now sign in with it.`
        : null,
    providerError:
      error === null
        ? null
        : providerErrorView(context, { code: error, providerId: search.get("provider"), flow: "link" })
            .message,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireRecentAuth(request, context);
  const submission = parseWithZod(await readFormData(request), { schema: ConnectionIntentSchema });
  if (submission.status !== "success") throw data("That request was not understood.", { status: 400 });
  const { config, connections } = context.services;
  const form = submission.value;
  switch (form.intent) {
    case "link": {
      const provider = findProvider(config, form.provider);
      if (!provider) throw data("That provider is not available here.", { status: 400 });
      await context.rateLimit("sign-in");
      return startLink(request, context, provider);
    }
    case "unlink": {
      const result = await connections.forOwner(user.id).unlink(form.provider, originOf(request.headers));
      // Named only once it is known to be one of the account's: the form field is anybody's to write.
      const name = providerDisplayName(config, form.provider);
      switch (result) {
        case "not-linked":
        case "password":
          throw data("That service is not connected to your account.", { status: 404 });
        case "last-method":
          return data(
            {
              error: `${name} is the only way you can sign in, so it stays connected. Set a password, connect another provider or add a passkey first.`,
            },
            { status: 400 },
          );
        case "unlinked":
          return redirectWithFlash(context, CONNECTIONS_PATH, {
            kind: "success",
            message: `${name} is disconnected. It can no longer be used to sign in to your account.`,
          });
      }
    }
  }
}

export default function Connections() {
  const { passkeysAvailable, hasPassword, passkeys, connections, available, linkedNotice, providerError } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const onlyWayIn = !hasPassword && passkeys === 0 && connections.length === 1;
  const problem = actionData?.error ?? providerError;
  return (
    <SettingsSection title="Connections" intro="The services you can sign in with, besides your password.">
      {problem ? (
        <Notice kind="error">{problem}</Notice>
      ) : linkedNotice ? (
        <Notice kind="success">{linkedNotice}</Notice>
      ) : null}
      {connections.length === 0 && available.length === 0 ? (
        // Nothing to list and nothing to connect: say why, and where the other ways in are.
        <p className="empty-state" data-testid="no-providers">
          This site has no sign-in services such as GitHub or Google set up, so there is nothing to connect.{" "}
          {passkeysAvailable ? (
            <>
              To sign in without typing your password, add a <Link to="/settings/passkeys">passkey</Link>.
            </>
          ) : (
            <>
              To make your password safer, turn on <Link to="/settings/two-factor">two-step sign-in</Link>.
            </>
          )}
        </p>
      ) : (
        <ItemList items={connections} label="Connected services" emptyText="No service is connected yet.">
          {(connection) => (
            <ItemRow
              key={connection.providerId}
              title={connection.name}
              details={
                <>
                  Connected <LocalTime iso={connection.connectedAt} precision="day" />
                  {onlyWayIn ? " · your only way to sign in" : ""}
                </>
              }
              action={{
                hidden: { provider: connection.providerId },
                intent: "unlink",
                label: "Disconnect",
                pendingText: "Disconnecting…",
              }}
            />
          )}
        </ItemList>
      )}
      {available.length > 0 ? (
        <>
          <h3>Connect another</h3>
          {available.map((provider) => (
            // A full page load: the answer is a redirect to the provider.
            <Form key={provider.id} method="post" reloadDocument className="inline-form">
              <input type="hidden" name="provider" value={provider.id} />
              <button type="submit" name="intent" value="link" className="button">
                Connect {provider.name}
              </button>
            </Form>
          ))}
        </>
      ) : null}
      <p className="card-footer">
        {hasPassword ? (
          <>
            You can also sign in with your password (<Link to="/settings/password">change it</Link>).
          </>
        ) : (
          <>
            You have no password yet. <Link to="/settings/password">Set a password</Link> to sign in without a
            connected service.
          </>
        )}
      </p>
    </SettingsSection>
  );
}
