import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { HOME_PATH } from "../http/guards.server";
import stylesheet from "../styles/landing.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesheet }];

export const meta: MetaFunction = () => [
  { title: "Todo — get things done" },
  {
    name: "description",
    content: "A simple todo list that keeps what you need to do, on every device, behind a safe sign-in.",
  },
];

export async function loader({ context }: LoaderFunctionArgs) {
  if (await context.getSession()) throw redirect(HOME_PATH);
  return null;
}

const BENEFITS: Array<{ title: string; text: string; icon: ReactNode }> = [
  {
    title: "Your list, kept",
    text: "Write down what you need to do and tick it off when it is done. Everything is saved as you go and waits for you next time.",
    icon: <path d="M5 12.5l4.5 4.5L19 7.5" />,
  },
  {
    title: "On any device",
    text: "Phone, tablet or computer: sign in anywhere and your list is there, even on a slow connection or an old browser.",
    icon: (
      <>
        <rect x="3" y="4" width="13" height="10" rx="1.5" />
        <rect x="15" y="9" width="6" height="11" rx="1.5" />
        <path d="M6 18h6" />
      </>
    ),
  },
  {
    title: "A safe sign-in",
    text: "Add two-step sign-in with an authenticator app, or use a passkey instead of typing a password. We email you about every important change.",
    icon: (
      <>
        <rect x="5" y="10.5" width="14" height="10" rx="2" />
        <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" />
      </>
    ),
  },
  {
    title: "Your data stays yours",
    text: "Download everything as a file whenever you like. Delete your account and all of it is gone for good.",
    icon: <path d="M12 4v11m-4.5-4.5L12 15l4.5-4.5M5 19.5h14" />,
  },
];

/** The front page: what the app does for a person, a picture of it, and the two ways in. */
export default function Landing() {
  return (
    <div className="landing">
      <section className="hero" aria-labelledby="hero-title">
        <div className="hero-text">
          <h1 id="hero-title">Get things done.</h1>
          <p className="lead">
            A simple todo list for everything on your mind. Add it, tick it off, and find it again on every
            device you use.
          </p>
          <p className="actions">
            <Link to="/signup" className="button primary large">
              Create a free account
            </Link>
            <Link to="/login" className="button large">
              Sign in
            </Link>
          </p>
        </div>
        <ProductPicture />
      </section>
      <section className="benefits" aria-labelledby="benefits-title">
        <h2 id="benefits-title" className="visually-hidden">
          What you get
        </h2>
        <ul>
          {BENEFITS.map((benefit) => (
            <li key={benefit.title}>
              <svg className="benefit-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                {benefit.icon}
              </svg>
              <h3>{benefit.title}</h3>
              <p>{benefit.text}</p>
            </li>
          ))}
        </ul>
      </section>
      <section className="closing" aria-labelledby="closing-title">
        <h2 id="closing-title">Ready when you are</h2>
        <p>It takes a minute: your name, your email address and a password.</p>
        <p className="actions">
          <Link to="/signup" className="button primary large">
            Create a free account
          </Link>
        </p>
      </section>
    </div>
  );
}

const SAMPLE_TODOS = [
  { title: "Book the dentist", done: true },
  { title: "Buy milk and bread", done: false },
  { title: "Call Grandma on Sunday", done: false },
  { title: "Send the birthday card", done: true },
];

/** A drawing of the todo list in HTML, as it looks in the app: no image to download. */
function ProductPicture() {
  const left = SAMPLE_TODOS.filter((todo) => !todo.done).length;
  return (
    <div
      className="product-picture"
      role="img"
      aria-label="The todo list: four todos, two of them ticked off, and a box to add another."
    >
      <div className="picture-window">
        <p className="picture-heading">Your todos</p>
        <p className="picture-input">What needs to be done?</p>
        <ul>
          {SAMPLE_TODOS.map((todo) => (
            <li key={todo.title} className={todo.done ? "done" : undefined}>
              <span className="picture-toggle">{todo.done ? "✓" : ""}</span>
              <span>{todo.title}</span>
            </li>
          ))}
        </ul>
        <p className="picture-footer">
          <span>{left} items left</span>
          <span className="picture-filter">All</span>
        </p>
      </div>
    </div>
  );
}
